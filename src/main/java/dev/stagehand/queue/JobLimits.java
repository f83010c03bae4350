package dev.stagehand.queue;

import dev.stagehand.common.CallerLimits;
import dev.stagehand.common.LimitReached;
import dev.stagehand.db.types.JobState;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The job limits of {@link CallerLimits}, checked as a submission creates jobs. A build's active
 * jobs are counted in the submission's transaction (its row is locked); the counts over all
 * builds are read at most once a second, so a thousand callers cost one count, not a thousand.
 */
final class JobLimits {
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);
    private static final long COUNTS_FOR_MS = 1000;

    private final CallerLimits limits;
    private final JobStore jobs;
    private final Clock clock;
    private volatile Counts counts = new Counts(0, 0, 0); // read at the first check

    private record Counts(long atMs, int active, int waiting) {}

    JobLimits(CallerLimits limits, JobStore jobs, Clock clock) {
        this.limits = limits;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** {@code activeInBuild} jobs of the build with the {@code created} new ones of this request: within every limit, or LimitReached. */
    void check(int activeInBuild, int created) {
        if (activeInBuild > limits.maxActivePerBuild()) {
            throw new LimitReached("--max-active-jobs-per-build", "this build has " + limits.maxActivePerBuild()
                    + " active jobs already (the most allowed); try again when some have ended", RETRY_AFTER);
        }
        Counts now = counts;
        if (now.active() + created > limits.maxActive()) {
            throw new LimitReached("--max-active-jobs", "the server has " + now.active() + " active jobs (at most "
                    + limits.maxActive() + "); try again when some have ended", RETRY_AFTER);
        }
        if (now.waiting() >= limits.maxWaiting()) {
            throw new LimitReached("--max-waiting-jobs", now.waiting() + " jobs wait for their upload already (at most "
                    + limits.maxWaiting() + "); try again when some have ended", RETRY_AFTER);
        }
    }

    /** Reads the counts over all builds when the last read is a second old; before a submission's transaction, not in it. */
    void refresh() {
        long nowMs = clock.millis();
        Counts c = counts;
        if (nowMs - c.atMs() >= COUNTS_FOR_MS || nowMs < c.atMs()) {
            Map<JobState, Integer> byState = jobs.countActive();
            counts = new Counts(nowMs, byState.values().stream().mapToInt(Integer::intValue).sum(),
                    byState.getOrDefault(JobState.WAITING_UPLOAD, 0));
        }
    }
}
