package dev.stagehand.queue;

import java.time.Clock;
import java.time.Instant;

/**
 * What a {@link JobHandler} knows about the attempt it runs, and its way to report progress.
 * Progress is written at most every {@code PROGRESS_INTERVAL_MS}; each write also tells
 * whether the job was cancelled, so a cancelled download stops at its next chunk.
 */
public final class JobRun {
    private static final long PROGRESS_INTERVAL_MS = 500;

    private final JobStore store;
    private final Clock clock;
    private final JobRecordView job;
    private final int attempt;
    private final java.util.function.BooleanSupplier stopping;
    private long lastWriteMs;

    JobRun(JobStore store, Clock clock, JobRecordView job, int attempt, java.util.function.BooleanSupplier stopping) {
        this.store = store;
        this.stopping = stopping;
        this.clock = clock;
        this.job = job;
        this.attempt = attempt;
    }

    public long jobId() { return job.id(); }
    public long buildId() { return job.buildId(); }
    public String archiveUrl() { return job.archiveUrl(); }
    public String buildPath() { return job.buildPath(); }
    public String artifact() { return job.artifact(); }
    public boolean required() { return job.required(); }
    public int attempt() { return attempt; }
    public Instant waitDeadline() { return job.waitDeadline(); }

    /** Records bytes done/total (throttled) and throws {@link JobCancelledException} if cancelled. */
    public void progress(long bytesDone, Long bytesTotal) {
        if (stopping.getAsBoolean()) {
            throw new ShutdownInterruption();
        }
        long now = clock.millis();
        if (now - lastWriteMs < PROGRESS_INTERVAL_MS) {
            return;
        }
        lastWriteMs = now;
        if (!store.recordProgress(job.id(), bytesDone, bytesTotal)) {
            throw new JobCancelledException(job.id());
        }
    }

    /** Thrown at a safe point when the server shuts down: the job goes back to the queue. */
    static final class ShutdownInterruption extends RuntimeException {
        ShutdownInterruption() {
            super("server shutting down");
        }
    }

    /** Throws {@link JobCancelledException} when the job is no longer running (cancelled). */
    public void checkCancelled() {
        if (!store.isRunning(job.id())) {
            throw new JobCancelledException(job.id());
        }
    }
}
