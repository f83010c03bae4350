package dev.stagehand.archive;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object metadata a request read moments before recording its job, kept for that job's first
 * attempt: taken once, and only while fresh, so a retry or a late job asks the store again.
 * Stale entries (a job that never came, or came on another node) go once there are more than
 * {@link #PRUNE_ABOVE}, so the map stays about as large as what arrives within the freshness.
 * A job whose first attempt comes later asks the store itself, and may then pin a newer
 * generation than the caller's checksums describe: the hand-over narrows that window, it does
 * not close it.
 */
final class HandedOverStats {
    static final long FRESH_NANOS = 10_000_000_000L;
    static final int PRUNE_ABOVE = 10_000;

    private record Seen(ObjectInfo info, long atNanos) {}

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    void put(String archiveUrl, ObjectInfo info) {
        long now = System.nanoTime();
        if (seen.size() > PRUNE_ABOVE) {
            seen.values().removeIf(s -> now - s.atNanos() > FRESH_NANOS);
        }
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
