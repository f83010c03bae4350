package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many callers at once, callers that go away, and a graceful stop in the middle of a job. */
@Tag("integration")
class LoadAndLifecycleTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R5-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int SIZE = 2 * 1024 * 1024;

    @TempDir Path dir;

    @Test
    void fiveHundredConcurrentCallersShareOneDownload() throws Exception {
        try (FakeGcs gcs = slowStateful(1)) {
            try (Server server = Server.start(dir, gcs)) {
                HttpClient client = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(16)).build();
                List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.base()
                            + "/stage?archive_url=" + URL + "&artifacts=stateful")).timeout(Duration.ofSeconds(120)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (var call : calls) {
                    HttpResponse<String> r = call.get(180, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals("Success", r.body());
                }
                assertEquals(SIZE, gcs.bytesServed(BUCKET, PATH + "/stateful.tgz"), "the object was downloaded once");
                assertEquals(1, server.jobs(null, URL).size(), "one job");
            }
        }
    }

    @Test
    void aCallerThatDisconnectsDoesNotCancelTheJob() throws Exception {
        try (FakeGcs gcs = slowStateful(2)) {
            try (Server server = Server.start(dir, gcs)) {
                var impatient = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(server.base()
                        + "/stage?archive_url=" + URL + "&artifacts=stateful")).timeout(Duration.ofMillis(300)).build(),
                        HttpResponse.BodyHandlers.ofString());
                try {
                    impatient.get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException expected) {
                    assertTrue(expected.getCause() instanceof java.net.http.HttpTimeoutException);
                }
                assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
                assertEquals(1, server.jobs("SUCCEEDED", URL).size());
            }
        }
    }

    @Test
    void gracefulStopPutsTheRunningJobBackAndTheNextStartFinishesIt() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(SIZE, 3));
            gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 4000;
            try (Server server = Server.start(dir, gcs)) {
                assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                Eventually.await(Duration.ofSeconds(20), "the job to run", () ->
                        server.jobs("RUNNING", URL).size() == 1);
            }
            try (Server again = Server.start(dir.resolve("."), gcs)) {
                var job = again.jobs(null, URL).get(0);
                assertTrue(job.state().name().equals("QUEUED") || job.state().name().equals("RUNNING"), job.toString());
                assertEquals("INTERRUPTED", again.attempts(job.id()).get(0).outcome().name());
                gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 0;
                Eventually.await(Duration.ofSeconds(60), "the job to finish after restart", () ->
                        again.jobs("SUCCEEDED", URL).size() == 1);
                assertEquals("True", again.get("/is_staged?archive_url=" + URL + "&artifacts=stateful").body());
            }
        }
    }

    /** A fake GCS serving a 2 MiB stateful.tgz at 1 MiB/s, so its job runs for about two seconds. */
    private static FakeGcs slowStateful(long seed) throws java.io.IOException {
        FakeGcs gcs = new FakeGcs();
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(SIZE, seed));
        gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 1000;
        return gcs;
    }
}
