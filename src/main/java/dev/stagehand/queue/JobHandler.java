package dev.stagehand.queue;

/**
 * Does the work of one attempt of a job. Returning means success; {@link PermanentFailure}
 * fails the job at once; {@link NotReadyYet} parks it until a later check; any other exception
 * is retried by the {@link RetryPolicy}.
 */
@FunctionalInterface
public interface JobHandler {
    void run(JobRun run) throws Exception;

    /**
     * The job ended for good without succeeding (failed, cancelled): drop whatever its attempts
     * kept for a resume. Called once no attempt of it runs on this node any more.
     */
    default void discard(long jobId) {}
}
