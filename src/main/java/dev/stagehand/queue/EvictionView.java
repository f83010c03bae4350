package dev.stagehand.queue;

import java.time.Instant;

/** One eviction: which build, when, why, and the bytes it freed. */
public record EvictionView(long id, long buildId, String buildPath, Instant evictedAt, String reason, long bytesFreed,
        String node) {}
