package dev.stagehand.archive;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object metadata a request read moments before recording its job, kept for that job's first
 * attempt: taken once, and only while fresh, so a retry or a late job asks the store again.
 * Bounded by what arrives within {@link #FRESH_NANOS}: older entries go at each put.
 */
final class HandedOverStats {
    static final long FRESH_NANOS = 10_000_000_000L;

    private record Seen(ObjectInfo info, long atNanos) {}

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    void put(String archiveUrl, ObjectInfo info) {
        long now = System.nanoTime();
        seen.values().removeIf(s -> now - s.atNanos() > FRESH_NANOS);
        seen.put(key(archiveUrl, info.name()), new Seen(info, now));
    }

    Optional<ObjectInfo> take(String archiveUrl, String name) {
        Seen s = seen.remove(key(archiveUrl, name));
        return s != null && System.nanoTime() - s.atNanos() <= FRESH_NANOS ? Optional.of(s.info()) : Optional.empty();
    }

    private static String key(String archiveUrl, String name) {
        return archiveUrl + "\n" + name; // no newline in a clean archive URL
    }
}
