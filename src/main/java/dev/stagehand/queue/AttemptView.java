package dev.stagehand.queue;

import dev.stagehand.db.types.AttemptOutcome;
import java.time.Instant;

/** One try of a job: when, on which worker, and how it ended. */
public record AttemptView(
        int attemptNo, AttemptOutcome outcome, String error, String worker, Instant startedAt, Instant finishedAt) {}
