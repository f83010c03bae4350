package dev.stagehand.staging;

import dev.stagehand.queue.BuildStore;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records that a build was read or asked for (eviction takes the least recently used first), at
 * most once a minute per build so that downloads and polling do not turn into database writes.
 */
public final class BuildAccess {
    private static final long MIN_INTERVAL_MS = 60_000;

    private final BuildStore builds;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastWrite = new ConcurrentHashMap<>();

    BuildAccess(BuildStore builds, Clock clock) {
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
        long now = clock.millis();
        Long previous = lastWrite.get(path);
        if (previous != null && now - previous < MIN_INTERVAL_MS) {
            return;
        }
        lastWrite.put(path, now);
        builds.touchContaining(path);
    }
}
