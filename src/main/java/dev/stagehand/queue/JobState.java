package dev.stagehand.queue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** A job's life: the one table of allowed moves. Every UPDATE of a state is guarded by it. */
public enum JobState {
    QUEUED, RUNNING, RETRY_WAIT, SUCCEEDED, FAILED, CANCELLED;

    private static final Map<JobState, Set<JobState>> NEXT = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            // RUNNING -> QUEUED: the process is shutting down and hands the job to the next start.
            RUNNING, EnumSet.of(SUCCEEDED, RETRY_WAIT, FAILED, CANCELLED, QUEUED),
            // RETRY_WAIT -> RUNNING is the next attempt; QUEUED is an orphan put back at startup.
            RETRY_WAIT, EnumSet.of(RUNNING, CANCELLED, QUEUED),
            SUCCEEDED, EnumSet.noneOf(JobState.class),
            // An operator's retry puts a failed job back in the queue.
            FAILED, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.noneOf(JobState.class));

    /** States in which a job still holds its build + artifact slot and will run (again). */
    public static final Set<JobState> ACTIVE = EnumSet.of(QUEUED, RUNNING, RETRY_WAIT);
    /** States that need a Quartz trigger to make progress. */
    public static final Set<JobState> RUNNABLE = EnumSet.of(QUEUED, RETRY_WAIT);

    public boolean canMoveTo(JobState next) {
        return NEXT.get(this).contains(next);
    }

    public boolean isTerminal() {
        return !ACTIVE.contains(this);
    }
}
