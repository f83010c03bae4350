package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.ServerTest;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** /metrics in Prometheus text: the queue, disk and download meters move as work is done. */
@Tag("integration")
class MetricsTest extends ServerTest {
    static final String URL = "gs://bkt/target/R1-1.0.0";

    private String scrape() throws Exception {
        var r = server.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return r.body();
    }

    private String scrapeQuietly() {
        try {
            return scrape();
        } catch (Exception e) {
            return "";
        }
    }

    /** The value of the first sample whose name and labels start with {@code series}. */
    static Optional<Double> value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + "[^ ]* ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    /** The sum of every sample whose name and labels start with {@code series}. */
    static double sum(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + "[^ ]* ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    @Test
    void theMetersMoveAsArtifactsAreStagedAndFail() throws Exception {
        gcs.put("bkt", "target/R1-1.0.0/stateful.tgz", random(300_000, 1));
        String before = scrape();
        assertEquals(0.0, value(before, "stagehand_jobs{state=\"SUCCEEDED\"}").orElseThrow());
        assertEquals(0.0, value(before, "stagehand_job_attempts_total{outcome=\"SUCCEEDED\"}").orElseThrow());
        assertEquals(0.0, value(before, "stagehand_bytes_downloaded_total").orElseThrow());

        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
        assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
        // The job gauges read the ledger at most once a second, however often they are scraped.
        Eventually.await(Duration.ofSeconds(10), "the job gauges to show the two jobs",
                () -> value(scrapeQuietly(), "stagehand_jobs{state=\"SUCCEEDED\"}").orElse(0.0) == 1.0);
        String after = scrape();
        assertEquals(1.0, value(after, "stagehand_jobs{state=\"FAILED\"}").orElseThrow());
        assertEquals(1.0, value(after, "stagehand_job_attempts_total{outcome=\"SUCCEEDED\"}").orElseThrow());
        assertEquals(1.0, value(after, "stagehand_job_attempts_total{outcome=\"FAILED\"}").orElseThrow());
        assertEquals(300_000.0, value(after, "stagehand_bytes_downloaded_total").orElseThrow());
        assertEquals(1.0, value(after, "stagehand_stage_duration_seconds_count{artifact=\"stateful\"}").orElseThrow());
        assertTrue(value(after, "stagehand_queue_wait_seconds_count").orElseThrow() >= 2);
        assertEquals(300_000.0, value(after, "stagehand_staged_bytes").orElseThrow());
        assertTrue(value(after, "stagehand_disk_free_bytes").orElseThrow() > 0);
        assertEquals(0.0, value(after, "stagehand_evictions_total").orElseThrow());
        assertTrue(value(after, "jvm_memory_used_bytes").isPresent(), "JVM binders");
        assertTrue(sum(after, "jetty_server_requests_seconds_count") >= 3, "HTTP server binder");
        assertTrue(value(after, "jetty_connections_current_connections").orElseThrow() >= 1, "Jetty connection binder");
        assertTrue(value(after, "jetty_threads_busy").isPresent(), "Jetty thread pool binder");
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
        String again = scrape();
        assertEquals(2.0, value(again, "stagehand_cache_requests_total{result=\"miss\",rpc=\"stage\"}").orElseThrow(), "two new jobs");
        assertEquals(1.0, value(again, "stagehand_cache_requests_total{result=\"hit\",rpc=\"stage\"}").orElseThrow(), "staged already");
    }
}
