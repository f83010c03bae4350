package dev.stagehand.queue;

import dev.stagehand.db.types.JobState;

/** Which jobs a listing shows, newest first: optionally one state and/or one archive URL. */
public record JobFilter(JobState state, String archiveUrl, int limit, int offset) {
    public static JobFilter all(int limit) {
        return new JobFilter(null, null, limit, 0);
    }
}
