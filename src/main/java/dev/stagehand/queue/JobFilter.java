package dev.stagehand.queue;

import dev.stagehand.db.types.JobState;
import java.time.Instant;
import java.util.Set;

/**
 * Which jobs a listing shows, newest first: optionally only some states, one archive URL, and
 * jobs that ended since a time.
 */
public record JobFilter(Set<JobState> states, String archiveUrl, Instant finishedSince, int limit, int offset) {
    public JobFilter(JobState state, String archiveUrl, int limit, int offset) {
        this(state == null ? null : Set.of(state), archiveUrl, null, limit, offset);
    }

    public static JobFilter inStates(Set<JobState> states, int limit) {
        return new JobFilter(states, null, null, limit, 0);
    }

    /** Jobs of {@code state} that ended at or after {@code since}. */
    public static JobFilter endedSince(JobState state, Instant since, int limit) {
        return new JobFilter(Set.of(state), null, since, limit, 0);
    }
}
