package dev.stagehand.queue;

import dev.stagehand.db.types.BuildState;
import java.time.Instant;

/** A build row: where it is staged, what it holds, when it was last read, and its last eviction (if any). */
public record BuildView(long id, String archiveUrl, String buildPath, BuildState state, long stagedBytes,
        Instant createdAt, Instant lastAccessAt, Instant lastEvictedAt) {}
