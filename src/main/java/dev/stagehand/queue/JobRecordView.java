package dev.stagehand.queue;

import java.time.Instant;

/** A job row joined with its build, as the queue and API read it. */
public record JobRecordView(
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
        Instant finishedAt) {}
