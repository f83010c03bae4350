package dev.stagehand.bench;

import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thundering herd and the way to a first byte, on a server in its own JVM (as a lab meets it),
 * each against a baseline in the same run: 1,000 callers of one 64 MiB artifact (each connection
 * of the fake held to 4 MiB/s) against one caller alone, check_health probed during the herd, and
 * the first byte a device gets after an async stage, cold (the server just started) and warm,
 * step by step, against the fake's own first byte through curl, on {@code -Dherd.firstByteRounds}
 * servers started one after another (medians; the herd runs on the last).
 */
@Tag("benchmark")
class HerdBenchmark {
    static final String BUCKET = "bench";
    static final int MB = 1 << 20;
    static final int CALLERS = Integer.getInteger("herd.callers", 1000);
    /** Servers started one after another for the first byte; the herd runs on the last. */
    static final int FIRST_BYTE_ROUNDS = Integer.getInteger("herd.firstByteRounds", 5);

    @TempDir Path dir;
    final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();

    @Test
    void herdAndFirstByte() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            Path object = dir.resolve("object.bin");
            try (FileChannel out = FileChannel.open(object, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                byte[] block = dev.stagehand.testing.TestArchives.random(MB, 7);
                for (int i = 0; i < 256; i++) {
                    out.write(java.nio.ByteBuffer.wrap(block));
                }
            }
            for (String build : List.of("cold", "warm")) {
                gcs.putFile(BUCKET, "t/" + build + "/chromeos_" + build + "_full_dev.bin", object);
            }
            Path small = dir.resolve("small.bin");
            Files.write(small, java.util.Arrays.copyOf(Files.readAllBytes(object.resolveSibling("object.bin")), 64 * MB));
            for (String build : List.of("alone", "herd", "recorded")) {
                gcs.putFile(BUCKET, "t/" + build + "/stateful.tgz", small);
            }
            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            FreshServers.each(dir, gcs, BUCKET, FIRST_BYTE_ROUNDS, (port, last) -> {
                gcs.throttlePerConnection(32L * MB);
                cold.add(firstByte(gcs, port, "cold"));
                warm.add(firstByte(gcs, port, "warm"));
                if (last) {
                    gcs.throttlePerConnection(4L * MB);
                    herd(port);
                }
            });
            BenchReport.line("first byte after an async stage over %d servers just started: cold %s (target <= 0.3 s); warm %s"
                    + " (target <= 0.1 s)", FIRST_BYTE_ROUNDS, FreshServers.medianAndEach(cold), FreshServers.medianAndEach(warm));
        }
    }

    /** Async stage, then at once a read of the file: the time to its first byte (returned, in seconds), and the server's steps. */
    private double firstByte(FakeGcs gcs, int port, String build) throws Exception {
        String mediaUrl = gcs.endpoint() + "/download/storage/v1/b/" + BUCKET + "/o/t%2F" + build + "%2Fchromeos_" + build + "_full_dev.bin?alt=media";
        double curl = curlFirstByte(mediaUrl);
        Map<String, Double> before = steps(port);
        long start = System.nanoTime();
        String body = get(port, "/stage?archive_url=gs://" + BUCKET + "/t/" + build + "&artifacts=full_payload&async=True");
        double staged = (System.nanoTime() - start) / 1e9;
        if (!body.equals("Success")) {
            throw new IllegalStateException(body);
        }
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/static/t/" + build
                + "/update.gz")).build(), HttpResponse.BodyHandlers.ofInputStream());
        double firstByte;
        try (InputStream in = r.body()) {
            if (in.read() < 0) {
                throw new IllegalStateException("no byte");
            }
            firstByte = (System.nanoTime() - start) / 1e9;
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        Eventually.await(Duration.ofSeconds(30), "the trace to end", () -> steps(port).getOrDefault("reader_woken", 0.0)
                > before.getOrDefault("reader_woken", 0.0));
        Map<String, Double> after = steps(port);
        String breakdown = ServerSteps.between(before, after);
        BenchReport.line("first byte (%s): %.3f s from the stage call to a reader's first byte (target %s); stage answered in %.3f s;"
                + " steps after the commit:%s the fake's own first byte through curl %.3f s", build, firstByte,
                build.equals("cold") ? "<= 0.3 s" : "<= 0.1 s", staged, breakdown, curl);
        return firstByte;
    }

    private void herd(int port) throws Exception {
        double alone = BenchReport.timeStage(http, port, "gs://" + BUCKET + "/t/alone", "artifacts=stateful");
        List<Long> floor = callers(port, "/check_health");
        BenchReport.line("herd: baseline: %d concurrent GET /check_health, the HTTP floor of this client and server: p50 %.2f s, p99 %.2f s",
                CALLERS, BenchReport.percentile(floor, 50) / 1000, BenchReport.percentile(floor, 99) / 1000);
        List<Long> recorded = callers(port, "/stage?archive_url=gs://" + BUCKET + "/t/recorded&artifacts=stateful&async=True");
        BenchReport.line("herd: %d async callers (answered once their request is recorded): p50 %.2f s, p99 %.2f s", CALLERS,
                BenchReport.percentile(recorded, 50) / 1000, BenchReport.percentile(recorded, 99) / 1000);
        List<Long> health = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor();
        probe.scheduleAtFixedRate(() -> {
            long t = System.nanoTime();
            try {
                get(port, "/check_health");
                health.add((System.nanoTime() - t) / 1_000_000);
            } catch (Exception e) {
                health.add(10_000L);
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        HttpClient many = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(32)).build();
        List<CompletableFuture<Long>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            long sent = System.nanoTime();
            callers.add(many.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/stage?archive_url=gs://" + BUCKET + "/t/herd&artifacts=stateful")).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                        if (!r.body().equals("Success")) {
                            throw new IllegalStateException(r.body());
                        }
                        return (System.nanoTime() - sent) / 1_000_000;
                    }));
        }
        List<Long> latencies = new ArrayList<>();
        for (var c : callers) {
            latencies.add(c.get(5, TimeUnit.MINUTES));
        }
        probe.shutdownNow();
        BenchReport.line("herd: %d callers of one 64 MiB artifact (4 MiB/s per connection of the fake): p50 %.2f s, p99 %.2f s;"
                + " one caller alone %.2f s -> p99 is alone + %.2f s (target <= + 2 s)", CALLERS,
                BenchReport.percentile(latencies, 50) / 1000, BenchReport.percentile(latencies, 99) / 1000, alone,
                BenchReport.percentile(latencies, 99) / 1000 - alone);
        BenchReport.line("herd: check_health every 0.5 s during it: %d probes, p50 %.0f ms, p99 %.0f ms, worst %.0f ms (target p99 <= 100 ms)",
                health.size(), BenchReport.percentile(health, 50), BenchReport.percentile(health, 99), BenchReport.percentile(health, 100));
    }

    /** {@link #CALLERS} concurrent GETs of {@code path}, each answered Success: their latencies in ms. */
    private List<Long> callers(int port, String path) throws Exception {
        HttpClient many = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(32)).build();
        List<CompletableFuture<Long>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            long sent = System.nanoTime();
            callers.add(many.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofMinutes(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                        if (r.statusCode() != 200 || !(r.body().equals("Success") || path.equals("/check_health"))) {
                            throw new IllegalStateException(r.body());
                        }
                        return (System.nanoTime() - sent) / 1_000_000;
                    }));
        }
        List<Long> latencies = new ArrayList<>();
        for (var c : callers) {
            latencies.add(c.get(5, TimeUnit.MINUTES));
        }
        return latencies;
    }

    private static double curlFirstByte(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-r", "0-0", "-w", "%{time_starttransfer}", url).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Double.parseDouble(out);
    }

    private Map<String, Double> steps(int port) {
        return ServerSteps.read(http, port);
    }

    private String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
