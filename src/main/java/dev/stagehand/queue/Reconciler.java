package dev.stagehand.queue;

import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the ledger and Quartz back in agreement, at startup and then periodically: jobs of dead
 * nodes go back to the queue (with hashed placement, unclaimed jobs of copies whose holder left
 * move to their build's new home), every runnable job of this node's copies gets a trigger (but
 * those waiting in this node's memory for a worker), and pending requests whose
 * required jobs have all ended are settled (a database written by older code heals).
 */
final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final Stores stores;
    private final QuartzWorkers workers;
    private final Nodes nodes;
    private final Clock clock;
    /** With hashed placement: jobs of copies whose holder left move to their build's new home (else null). */
    private final Rehoming rehoming;
    /** Jobs waiting in this node's memory for a worker: they need no trigger. */
    private final java.util.function.LongPredicate linedHere;

    Reconciler(Stores stores, QuartzWorkers workers, Nodes nodes, Clock clock, Rehoming rehoming,
            java.util.function.LongPredicate linedHere) {
        this.linedHere = linedHere;
        this.stores = stores;
        this.workers = workers;
        this.nodes = nodes;
        this.clock = clock;
        this.rehoming = rehoming;
    }

    /** What one pass did; {@code rehomed}: jobs that moved to another node's copy (that node needs a nudge). */
    record Result(List<Long> requeued, int scheduled, Map<Long, RequestOutcome> settled, List<Long> rehomed) {}

    Result run() {
        List<Long> requeued = stores.inTransaction(tx -> tx.jobs.requeueOrphans(nodes.deadAmong(tx.jobs.claimants())));
        if (!requeued.isEmpty()) {
            log.info("re-queued {} job(s) whose node stopped: {}", requeued.size(), requeued);
        }
        int scheduled = 0;
        for (JobStore.Runnable job : stores.jobs.runnable()) {
            try {
                if (!linedHere.test(job.id()) && !workers.hasTrigger(job.id())) {
                    workers.schedule(job.id(), job.required(), dueTime(job));
                    scheduled++;
                }
            } catch (SchedulerException e) {
                log.warn("could not schedule job {}", job.id(), e);
            }
        }
        Map<Long, RequestOutcome> settled = stores.inTransaction(tx -> tx.requests.settle(tx.requests.stranded()));
        if (!settled.isEmpty()) {
            log.info("settled {} request(s) whose required jobs had all ended: {}", settled.size(), settled.keySet());
        }
        List<Long> rehomed = List.of();
        try {
            rehomed = rehoming == null ? List.of() : rehoming.run(); // last, and on its own: the rest of the pass stands
        } catch (RuntimeException e) {
            log.warn("moving jobs to their builds' new homes failed; the next pass tries again", e);
        }
        return new Result(requeued, scheduled, settled, rehomed);
    }

    private Instant dueTime(JobStore.Runnable job) {
        Instant now = clock.instant();
        return job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(now) ? job.nextAttemptAt() : now;
    }
}
