package dev.stagehand.queue;

import dev.stagehand.db.types.JobState;
import java.util.Collections;
import java.util.Set;

/** Groups of job states, read off the table of allowed moves ({@link JobTransition}) rather than restated. */
public final class JobStates {
    /** A job that holds its build + artifact slot and will run (again): the states a cancel moves from. */
    public static final Set<JobState> ACTIVE = Collections.unmodifiableSet(JobTransition.CANCEL.from);
    /** A job that needs a Quartz trigger to make progress: the states a worker claims from. */
    public static final Set<JobState> RUNNABLE = Collections.unmodifiableSet(JobTransition.CLAIM.from);
    /** An active job no worker holds: it may move to another node's copy of its build, in the state it is in. */
    public static final Set<JobState> UNCLAIMED = Collections.unmodifiableSet(
            java.util.EnumSet.copyOf(ACTIVE.stream().filter(s -> !JobTransition.CLAIM.to.equals(s)).toList()));

    private JobStates() {}

    public static boolean isActive(JobState state) {
        return ACTIVE.contains(state);
    }
}
