package dev.stagehand.api;

import dev.stagehand.api.http.HttpMetrics;
import dev.stagehand.db.types.JobState;
import dev.stagehand.metrics.HostLoad;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The health figures: what the devserver's check_health answered (free disk, load, connections,
 * downloads running) plus the queue and the disk quota. check_health and the status page show it.
 */
final class HealthReport implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HealthReport.class);
    /** How often the figures read from the database are read again for check_health. */
    static final long DATABASE_FIGURES_EVERY_MS = 1000;

    private final HttpApi.Services services;
    private final HttpMetrics http;
    private final Instant started;
    /** The queue depth as last read: check_health answers from it and never waits for the database. */
    private volatile Map<JobState, Integer> depth = Map.of();
    private final java.util.concurrent.ScheduledExecutorService reader = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "health-figures");
        t.setDaemon(true);
        return t;
    });

    HealthReport(HttpApi.Services services, HttpMetrics http) {
        this.services = services;
        this.http = http;
        this.started = services.clock().instant();
        readDatabaseFigures();
        reader.scheduleWithFixedDelay(this::readDatabaseFigures, DATABASE_FIGURES_EVERY_MS, DATABASE_FIGURES_EVERY_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void readDatabaseFigures() {
        try {
            depth = services.ledger().countByState();
            services.space().refreshStagedBytes();
        } catch (RuntimeException e) {
            log.warn("could not read the queue's figures for check_health", e);
        }
    }

    /** check_health: from figures read in the background, so that it answers at once whatever the database is doing. */
    Map<String, Object> report() throws IOException {
        return report(depth);
    }

    @Override
    public void close() {
        reader.shutdown(); // not interrupted: a read inside H2 must finish
    }

    /** With the queue depth the caller already read (the status page polls every second). */
    Map<String, Object> report(Map<JobState, Integer> depth) throws IOException {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("node", services.ledger().nodeId());
        long free = services.space().freeBytes();
        health.put("free_disk", free / (1L << 30));
        health.put("free_disk_bytes", free);
        health.put("staged_bytes", services.space().stagedBytesAsLastRead());
        health.put("max_staged_bytes", services.space().quota().maxStagedBytes());
        health.put("min_free_bytes", services.space().quota().minFreeBytes());
        health.put("staging_thread_count", depth.getOrDefault(JobState.RUNNING, 0));
        health.put("queue", depth);
        health.put("uptime_s", Duration.between(started, services.clock().instant()).toSeconds());
        // What autotest's get_least_loaded_devserver compares, over the last two seconds.
        HostLoad.Snapshot load = services.metrics().hostLoad();
        health.put("cpu_percent", round(load.cpuPercent()));
        health.put("network_sent_bytes_per_second", round(load.networkSentPerSecond()));
        health.put("network_recv_bytes_per_second", round(load.networkReceivedPerSecond()));
        health.put("network_total_bytes_per_second", round(load.networkTotalPerSecond()));
        health.put("disk_read_bytes_per_second", round(load.diskReadPerSecond()));
        health.put("disk_write_bytes_per_second", round(load.diskWrittenPerSecond()));
        health.put("disk_total_bytes_per_second", round(load.diskTotalPerSecond()));
        health.put("apache_client_count", (long) http.openConnections());
        health.put("gsutil_count", services.ledger().runningHere());
        return health;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
