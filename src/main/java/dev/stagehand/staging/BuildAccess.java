package dev.stagehand.staging;

import dev.stagehand.queue.BuildLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that a build was read or asked for (eviction takes the least recently used first).
 * A read never waits for the database: it is noted here, exactly, and written in the background
 * every {@link #WRITE_EVERY} (so a download or a poll is never a database write), and at once
 * before eviction picks its victims ({@link #flush}). On one node the order is therefore exact;
 * several nodes see each other's reads to within that interval.
 */
public final class BuildAccess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BuildAccess.class);
    static final Duration WRITE_EVERY = Duration.ofSeconds(30);

    private final BuildLedger builds;
    private final Clock clock;
    /** Reads not written yet, by build path: the latest of each. */
    private final ConcurrentHashMap<String, Instant> unwritten = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "build-access");
        t.setDaemon(true);
        return t;
    });

    public BuildAccess(BuildLedger builds, Clock clock) {
        this.builds = builds;
        this.clock = clock;
        writer.scheduleWithFixedDelay(this::flushQuietly, WRITE_EVERY.toMillis(), WRITE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
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
        unwritten.merge(path, clock.instant(), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Writes every read noted, so that the ledger's order of builds is this node's exact order. */
    void flush() {
        for (Map.Entry<String, Instant> read : unwritten.entrySet()) {
            if (unwritten.remove(read.getKey(), read.getValue())) {
                builds.touchContaining(read.getKey(), read.getValue());
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("could not record when builds were last read", e);
        }
    }

    @Override
    public void close() {
        writer.shutdown(); // not interrupted: a write inside H2 must finish
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
            flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("could not record when builds were last read", e);
        }
    }
}
