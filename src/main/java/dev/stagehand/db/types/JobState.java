package dev.stagehand.db.types;

/**
 * Where a job is in its life, as the {@code job.state} column stores it. Which moves between
 * these states are allowed is the queue's rule ({@code dev.stagehand.queue.JobTransition}).
 */
public enum JobState {
    /** Waiting for a worker. */
    QUEUED,
    /** A worker on some node is staging it now. */
    RUNNING,
    /** An attempt failed; the next one is due at {@code next_attempt_at}. */
    RETRY_WAIT,
    /** The artifact is not in the archive yet; watched, with no worker, until it arrives or its deadline passes. */
    WAITING_UPLOAD,
    SUCCEEDED,
    FAILED,
    CANCELLED
}
