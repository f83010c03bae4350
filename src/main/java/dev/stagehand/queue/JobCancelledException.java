package dev.stagehand.queue;

/** Thrown from {@link JobRun#progress} when the job was cancelled while it ran. */
public class JobCancelledException extends RuntimeException {
    public JobCancelledException(long jobId) {
        super("job " + jobId + " was cancelled");
    }
}
