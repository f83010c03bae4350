package dev.stagehand.api;

import dev.stagehand.queue.BuildStore;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records that a build's files were read (eviction will use it), at most once a minute per
 * directory so that downloads do not turn into database writes.
 */
final class BuildAccess {
    private static final long MIN_INTERVAL_MS = 60_000;

    private final BuildStore builds;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastWrite = new ConcurrentHashMap<>();

    BuildAccess(BuildStore builds, Clock clock) {
        this.builds = builds;
        this.clock = clock;
    }

    void touch(String staticPath) {
        String relative = staticPath.startsWith("/") ? staticPath.substring(1) : staticPath;
        int slash = relative.lastIndexOf('/');
        String dir = slash < 0 ? "" : relative.substring(0, slash);
        long now = clock.millis();
        Long previous = lastWrite.get(dir);
        if (previous != null && now - previous < MIN_INTERVAL_MS) {
            return;
        }
        lastWrite.put(dir, now);
        builds.touchContaining(relative);
    }
}
