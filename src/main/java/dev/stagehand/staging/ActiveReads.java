package dev.stagehand.staging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Files being read through /static on this node right now, so that eviction leaves their builds alone. */
public final class ActiveReads {
    private final ConcurrentHashMap<String, AtomicInteger> reading = new ConcurrentHashMap<>();

    /** A read of {@code staticPath} (relative to the static dir) starts; call {@link #end} when it is done. */
    public void begin(String staticPath) {
        reading.computeIfAbsent(relative(staticPath), p -> new AtomicInteger()).incrementAndGet();
    }

    public void end(String staticPath) {
        reading.computeIfPresent(relative(staticPath), (p, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Whether any file under the build's directory is being read. */
    boolean underway(String buildPath) {
        String prefix = buildPath + "/";
        return reading.keySet().stream().anyMatch(p -> p.startsWith(prefix));
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
