package dev.stagehand.queue;

/**
 * Does the work of one attempt of a job. Returning means success; {@link PermanentFailure}
 * fails the job at once; {@link NotReadyYet} parks it until {@link #uploaded} finds its artifact;
 * any other exception is retried by the {@link RetryPolicy}.
 */
@FunctionalInterface
public interface JobHandler {
    void run(JobRun run) throws Exception;

    /**
     * Which of a build's waiting jobs could run now (their artifact is in the archive): one look
     * at the archive for all of them. Throwing puts them all back in the queue, so that a worker
     * meets the error and the retry policy judges it.
     */
    default java.util.Set<Long> uploaded(WaitingBuild build) throws Exception {
        return build.jobs().stream().map(WaitingBuild.Job::id).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * The job ended for good without succeeding (failed, cancelled): drop whatever its attempts
     * kept for a resume. Called once no attempt of it runs on this node any more.
     */
    default void discard(long jobId) {}
}
