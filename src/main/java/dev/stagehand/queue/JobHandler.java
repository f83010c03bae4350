package dev.stagehand.queue;

/**
 * Does the work of one attempt of a job. Returning means success; {@link PermanentFailure}
 * fails the job at once; any other exception is retried by the {@link RetryPolicy}.
 */
@FunctionalInterface
public interface JobHandler {
    void run(JobRun run) throws Exception;
}
