package dev.stagehand.queue;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With hashed placement, part of every reconciliation: jobs no worker holds, of build copies
 * whose holder died, stopped or is draining, move to the copy at their build's new home, so the
 * requests waiting on them are answered there. Running jobs are left alone: a draining node
 * finishes its own, and a dead node's are put back in the queue first (and move next pass).
 */
final class Rehoming {
    private static final Logger log = LoggerFactory.getLogger(Rehoming.class);

    private final Stores stores;
    private final Nodes nodes;

    Rehoming(Stores stores, Nodes nodes) {
        this.stores = stores;
        this.nodes = nodes;
    }

    /** One pass; returns the jobs that now carry the moved requests (their holders need a nudge). */
    List<Long> run() {
        nodes.refreshRing();
        List<String> ring = nodes.ringWithSelf();
        List<Long> moved = new ArrayList<>();
        if (ring.isEmpty()) {
            return moved;
        }
        for (JobStore.Stranded job : stores.jobs.stranded(ring)) {
            String home = Rendezvous.home(job.buildPath(), ring).orElseThrow();
            try {
                // created outside the move's transaction: on PostgreSQL a lost insert race aborts the transaction it is in
                long target = stores.builds.id(job.archiveUrl(), job.buildPath(), home);
                stores.inTransaction(tx -> tx.jobs.moveToCopy(job, target, home)).ifPresent(carrier -> {
                    log.info("job {} ({} of {}) moved to its build's new home {}{}", job.jobId(), job.artifact(), job.buildPath(), home,
                            carrier == job.jobId() ? "" : ", joining job " + carrier);
                    moved.add(carrier);
                });
            } catch (RuntimeException e) { // a lost race or a deadlock: the next pass tries again; the others move now
                log.warn("could not move job {} to {}; the next reconciliation will try again", job.jobId(), home, e);
            }
        }
        return moved;
    }
}
