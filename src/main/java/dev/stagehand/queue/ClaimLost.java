package dev.stagehand.queue;

/**
 * The job is no longer this attempt's to run: it was cancelled, or its node was presumed dead
 * and another node took it over. Thrown from a progress report; the attempt stops writing.
 */
public final class ClaimLost extends RuntimeException {
    ClaimLost(long jobId) {
        super("job " + jobId + " was cancelled or taken over by another node");
    }
}
