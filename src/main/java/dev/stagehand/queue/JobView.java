package dev.stagehand.queue;

import dev.stagehand.db.types.JobState;
import java.time.Instant;

/** A job row joined with its build, as readers see it. {@code node} is the node that last claimed it. */
public record JobView(
        long id,
        long buildId,
        String archiveUrl,
        String buildPath,
        String artifact,
        JobState state,
        boolean required,
        int attempts,
        int maxAttempts,
        Instant nextAttemptAt,
        Instant waitDeadline,
        String lastError,
        long bytesDone,
        Long bytesTotal,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String node) {}
