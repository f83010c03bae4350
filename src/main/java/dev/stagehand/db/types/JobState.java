package dev.stagehand.db.types;

import java.util.EnumSet;
import java.util.Set;

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
    /** The artifact is not in the archive yet; checked again at {@code next_attempt_at} until the deadline. */
    WAITING_UPLOAD,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** States in which a job holds its build + artifact slot and will run (again). */
    public static final Set<JobState> ACTIVE = EnumSet.of(QUEUED, RUNNING, RETRY_WAIT, WAITING_UPLOAD);
    /** States that need a Quartz trigger to make progress (a WAITING_UPLOAD job is watched without one). */
    public static final Set<JobState> RUNNABLE = EnumSet.of(QUEUED, RETRY_WAIT);

    public boolean isActive() {
        return ACTIVE.contains(this);
    }
}
