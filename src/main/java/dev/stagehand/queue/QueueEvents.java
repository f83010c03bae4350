package dev.stagehand.queue;

import dev.stagehand.db.types.AttemptOutcome;
import java.time.Duration;

/**
 * What the queue tells observers (metrics) as attempts start and end. Called on the worker
 * thread after the change committed; an observer must be quick and must not throw.
 */
public interface QueueEvents {
    QueueEvents NONE = new QueueEvents() {};

    /** A worker claimed the job; {@code job} is as it was read right after the claim. */
    default void attemptStarted(JobView job, int attempt) {}

    default void attemptEnded(JobView job, int attempt, AttemptOutcome outcome, Duration took, String error) {}

    /** This node found {@code count} attempts of stopped nodes (or of its own earlier run) and made them ABANDONED. */
    default void attemptsAbandoned(int count) {}

    /** A new job reached {@code step} on its way to its first byte, {@code took} after the step before ({@link StartSteps}). */
    default void startStep(String step, Duration took) {}
}
