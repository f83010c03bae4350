package dev.stagehand.staging;

/** What a request found: its files staged already, a job already fetching them (joined), or a new job (a miss). */
public enum CacheResult {
    HIT, JOINED, MISS;

    /** For a request that was recorded: whether it created a job or joined jobs already there. */
    public static CacheResult ofRecorded(boolean createdJobs) {
        return createdJobs ? MISS : JOINED;
    }
}
