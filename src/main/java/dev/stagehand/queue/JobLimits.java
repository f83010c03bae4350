package dev.stagehand.queue;

import dev.stagehand.common.CallerLimits;
import dev.stagehand.common.LimitReached;
import dev.stagehand.db.types.JobState;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job limits of {@link CallerLimits}, checked as a submission creates jobs. The counts are
 * read at most once a second (one grouped read for every build), and the jobs created since are
 * added as they are made: a thousand callers cost one count, not a thousand, and a build of
 * ten thousand jobs is never counted row by row for each new one. The limits hold to within
 * what ends or starts in that second.
 */
final class JobLimits {
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);
    private static final long COUNTS_FOR_MS = 1000;

    private final CallerLimits limits;
    private final JobStore jobs;
    private final Clock clock;
    private volatile Counts counts = new Counts(0, Map.of(), 0, 0); // read at the first check
    /** Jobs created since the counts were read, by build. */
    private final Map<Long, Integer> createdSince = new ConcurrentHashMap<>();

    private record Counts(long atMs, Map<Long, Integer> activeByBuild, int active, int waiting) {}

    JobLimits(CallerLimits limits, JobStore jobs, Clock clock) {
        this.limits = limits;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** One job of {@code buildId} is about to be created, the {@code created}-th of its request: within every limit, or LimitReached. */
    void check(long buildId, int created) {
        Counts now = counts;
        int createdHere = createdSince.getOrDefault(buildId, 0);
        int allCreated = createdSince.values().stream().mapToInt(Integer::intValue).sum();
        if (now.activeByBuild().getOrDefault(buildId, 0) + createdHere + created > limits.maxActivePerBuild()) {
            throw new LimitReached("--max-active-jobs-per-build", "this build has " + limits.maxActivePerBuild()
                    + " active jobs already (the most allowed); try again when some have ended", RETRY_AFTER);
        }
        if (now.active() + allCreated + created > limits.maxActive()) {
            throw new LimitReached("--max-active-jobs", "the server has " + (now.active() + allCreated) + " active jobs (at most "
                    + limits.maxActive() + "); try again when some have ended", RETRY_AFTER);
        }
        if (now.waiting() >= limits.maxWaiting()) {
            throw new LimitReached("--max-waiting-jobs", now.waiting() + " jobs wait for their upload already (at most "
                    + limits.maxWaiting() + "); try again when some have ended", RETRY_AFTER);
        }
    }

    /** The request's jobs were committed: they count until the next read. */
    void created(long buildId, int count) {
        if (count > 0) {
            createdSince.merge(buildId, count, Integer::sum);
        }
    }

    /** Reads the counts when the last read is a second old; before a submission's transaction, not in it. */
    void refresh() {
        long nowMs = clock.millis();
        Counts c = counts;
        if (nowMs - c.atMs() >= COUNTS_FOR_MS || nowMs < c.atMs()) {
            Map<Long, Integer> byBuild = jobs.countActiveByBuild();
            Map<JobState, Integer> byState = jobs.countActive();
            createdSince.clear();
            counts = new Counts(nowMs, byBuild, byState.values().stream().mapToInt(Integer::intValue).sum(),
                    byState.getOrDefault(JobState.WAITING_UPLOAD, 0));
        }
    }
}
