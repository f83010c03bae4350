package dev.stagehand.queue;

import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * What a {@link JobHandler} knows about the attempt it runs, and its way to report progress.
 * Progress is written at most every {@code PROGRESS_INTERVAL_MS}; each write also tells whether
 * the claim still holds, so a cancelled or taken-over job stops at its next report.
 */
public final class JobRun {
    private static final long PROGRESS_INTERVAL_MS = 500;

    private final JobStore store;
    private final Clock clock;
    private final JobView job;
    private final Claim claim;
    private final BooleanSupplier stopping;
    private final StartSteps steps;
    private long lastWriteMs;

    JobRun(JobStore store, Clock clock, JobView job, Claim claim, BooleanSupplier stopping, StartSteps steps) {
        this.steps = steps;
        this.store = store;
        this.clock = clock;
        this.job = job;
        this.claim = claim;
        this.stopping = stopping;
    }

    public long jobId() { return job.id(); }
    public long buildId() { return job.buildId(); }
    public String archiveUrl() { return job.archiveUrl(); }
    public String buildPath() { return job.buildPath(); }
    public String artifact() { return job.artifact(); }
    public boolean required() { return job.required(); }
    public int attempt() { return claim.attempt(); }
    public Instant waitDeadline() { return job.waitDeadline(); }
    public Instant createdAt() { return job.createdAt(); }

    /** Records bytes done/total (throttled); throws {@link ClaimLost} once the job is no longer ours. */
    public void progress(long bytesDone, Long bytesTotal) {
        if (stopping.getAsBoolean()) {
            throw new ShutdownInterruption();
        }
        long now = clock.millis();
        if (now - lastWriteMs < PROGRESS_INTERVAL_MS) {
            return;
        }
        lastWriteMs = now;
        if (!store.recordProgress(claim, bytesDone, bytesTotal)) {
            throw new ClaimLost(job.id());
        }
    }

    /**
     * The attempt reached {@code step} on the way to its first byte ({@code last}: the final one,
     * a reader got bytes); timed for a new job's first attempt, ignored otherwise.
     */
    public void mark(String step, boolean last) {
        steps.reached(job.id(), step, last);
    }

    /** Throws {@link ClaimLost} when the job is no longer ours (checked before installing). */
    public void checkClaim() {
        if (!store.stillClaimed(claim)) {
            throw new ClaimLost(job.id());
        }
    }

    /** Thrown at a safe point when the server shuts down: the job goes back to the queue. */
    static final class ShutdownInterruption extends RuntimeException {
        ShutdownInterruption() {
            super("server shutting down");
        }
    }
}
