package dev.stagehand.staging;

import dev.stagehand.queue.BuildStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records that a build was read or asked for (eviction takes the least recently used first).
 * Downloads and polling must not turn into database writes, so a build's time is written at
 * most once a minute; the reads in between are held here, exactly, and written before eviction
 * picks its victims ({@link #flush}). On one node the order is therefore exact; several nodes
 * see each other's reads to the minute.
 */
public final class BuildAccess {
    static final long WRITE_AT_MOST_EVERY_MS = 60_000;

    private final BuildStore builds;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastWrite = new ConcurrentHashMap<>();
    /** Reads since the last write, by build path: the latest of each. */
    private final ConcurrentHashMap<String, Instant> unwritten = new ConcurrentHashMap<>();

    public BuildAccess(BuildStore builds, Clock clock) {
        this.builds = builds;
        this.clock = clock;
    }

    /** A file under the static dir was read: {@code staticPath} is relative to it, with or without a leading '/'. */
    public void fileRead(String staticPath) {
        String relative = staticPath.startsWith("/") ? staticPath.substring(1) : staticPath;
        int slash = relative.lastIndexOf('/');
        touch(slash < 0 ? relative : relative.substring(0, slash));
    }

    /** The build at {@code buildPath} was staged or asked about. */
    void buildUsed(String buildPath) {
        touch(buildPath);
    }

    private void touch(String path) {
        Instant now = clock.instant();
        Long previous = lastWrite.get(path);
        if (previous != null && now.toEpochMilli() - previous < WRITE_AT_MOST_EVERY_MS) {
            unwritten.merge(path, now, (a, b) -> a.isAfter(b) ? a : b);
            return;
        }
        lastWrite.put(path, now.toEpochMilli());
        unwritten.remove(path);
        builds.touchContaining(path, now);
    }

    /** Writes every read held back, so that the ledger's order of builds is this node's exact order. */
    void flush() {
        for (Map.Entry<String, Instant> read : unwritten.entrySet()) {
            if (unwritten.remove(read.getKey(), read.getValue())) {
                builds.touchContaining(read.getKey(), read.getValue());
            }
        }
    }
}
