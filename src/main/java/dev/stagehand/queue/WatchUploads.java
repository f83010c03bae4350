package dev.stagehand.queue;

import dev.stagehand.common.CallerText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chore that watches builds still uploading: jobs in WAITING_UPLOAD hold no worker and no
 * trigger. Once a second it reads which builds have waiting jobs; each build is looked at in the
 * archive once per interval (a quarter of how long its oldest job has waited, between 0.5 and
 * 10 s), for all its jobs at once. A job whose artifact arrived, or whose deadline passed (the
 * worker then fails it), goes back to the queue; nothing is written for a job still waiting.
 */
final class WatchUploads implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WatchUploads.class);
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration FIRST_CHECK = Duration.ofMillis(500);
    static final Duration MAX_CHECK = Duration.ofSeconds(10);

    /** Puts a job back in the queue with a trigger due now. */
    interface Requeue {
        void now(long jobId, boolean required);
    }

    private final Stores stores;
    private final Clock clock;
    private final Requeue requeue;
    private volatile JobHandler handler;
    /** When each build is looked at next; a build not here is due now (as after a restart). */
    private final Map<Long, Instant> nextLook = new HashMap<>();

    WatchUploads(Stores stores, Clock clock, Requeue requeue) {
        this.stores = stores;
        this.clock = clock;
        this.requeue = requeue;
    }

    void handleWith(JobHandler handler) {
        this.handler = handler;
    }

    @Override
    public synchronized void run() {
        if (handler == null) {
            return;
        }
        Instant now = clock.instant();
        List<JobStore.WaitingSummary> builds = stores.jobs.waitingBuilds();
        nextLook.keySet().retainAll(builds.stream().map(JobStore.WaitingSummary::buildId).toList());
        for (JobStore.WaitingSummary build : builds) {
            boolean due = !now.isBefore(nextLook.getOrDefault(build.buildId(), Instant.MIN))
                    || build.firstDeadline() != null && !now.isBefore(build.firstDeadline());
            if (due) {
                look(stores.jobs.waitingIn(build.buildId()), now);
                nextLook.put(build.buildId(), now.plus(interval(Duration.between(build.oldest(), now))));
            }
        }
    }

    /** A quarter of the time waited so far, within [FIRST_CHECK, MAX_CHECK]. */
    static Duration interval(Duration waited) {
        Duration quarter = waited.dividedBy(4);
        return quarter.compareTo(FIRST_CHECK) < 0 ? FIRST_CHECK : quarter.compareTo(MAX_CHECK) > 0 ? MAX_CHECK : quarter;
    }

    private void look(WaitingBuild build, Instant now) {
        if (build.jobs().isEmpty()) {
            return;
        }
        Set<Long> ready;
        try {
            ready = handler.uploaded(build);
        } catch (Exception e) {
            log.info("could not look for the uploads of {} ({}); its {} waiting job(s) go back to the queue",
                    CallerText.escape(build.buildPath()), CallerText.escape(e.getMessage()), build.jobs().size());
            ready = Set.copyOf(build.jobs().stream().map(WaitingBuild.Job::id).toList());
        }
        for (WaitingBuild.Job job : build.jobs()) {
            boolean expired = job.waitDeadline() == null || !now.isBefore(job.waitDeadline());
            if ((ready.contains(job.id()) || expired) && stores.jobs.uploadWaitOver(job.id())) {
                boolean arrived = ready.contains(job.id());
                log.info("job {} {} waiting: {} {} after {} s", job.id(), arrived ? "ends" : "gives up", CallerText.escape(job.artifact()),
                        arrived ? "is in the archive" : "is still not in the archive", Duration.between(job.createdAt(), now).toSeconds());
                requeue.now(job.id(), job.required());
            }
        }
    }
}
