package dev.stagehand.queue;

import dev.stagehand.db.types.BuildState;
import java.time.Instant;

/**
 * A build row (one node's copy with hashed placement: {@code holder} is its advertise URL, '' on a
 * shared volume): where it is staged, what it holds, when it was last read, and its last eviction.
 */
public record BuildView(long id, String archiveUrl, String buildPath, BuildState state, long stagedBytes,
        Instant createdAt, Instant lastAccessAt, Instant lastEvictedAt, String holder) {}
