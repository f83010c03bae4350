package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestDb;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many callers of one artifact at once: answered about when one caller alone is, and health never waits. */
@Tag("integration")
class HerdTest {
    static final String BUCKET = "bkt";
    static final int MB = 1 << 20;
    @TempDir Path dir;

    private static CompletableFuture<HttpResponse<String>> getAsync(Server server, String path) {
        return server.http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long millis(Server server, String path) throws Exception {
        long start = System.nanoTime();
        assertEquals(200, server.get(path).statusCode(), path);
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void healthStagedReadsAndStaticFilesAnswerWhileRequestRecordingIsHeld() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, "t/R1/stateful.tgz", random(1000, 1));
            gcs.put(BUCKET, "t/R2/stateful.tgz", random(1000, 2));
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/R1&artifacts=stateful").body());
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/R2&artifacts=stateful&async=True").body());
            var db = server.stagehand.database().dsl();
            long r2 = db.select(Tables.BUILD.ID).from(Tables.BUILD).where(Tables.BUILD.BUILD_PATH.eq("t/R2")).fetchSingle(Tables.BUILD.ID);
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> db.transaction(cfg -> {
                cfg.dsl().selectFrom(Tables.BUILD).where(Tables.BUILD.ID.eq(r2)).forUpdate().fetch();
                locked.countDown();
                release.await(60, TimeUnit.SECONDS);
            }));
            locked.await(30, TimeUnit.SECONDS);
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 300; i++) { // more than Jetty's threads: a caller waiting must hold none
                held.add(getAsync(server, "/stage?archive_url=gs://" + BUCKET + "/t/R2&files=f" + (i % 100) + "&async=True"));
            }
            Eventually.await(Duration.ofSeconds(30), "request recording to wait on the build's row",
                    () -> TestDb.sessionsWaitingForALock(db) >= 1);
            long slowest = 0;
            for (int i = 0; i < 10; i++) {
                slowest = Math.max(slowest, millis(server, "/check_health"));
                slowest = Math.max(slowest, millis(server, "/is_staged?archive_url=gs://" + BUCKET + "/t/R1&artifacts=stateful"));
                slowest = Math.max(slowest, millis(server, "/static/t/R1/stateful.tgz"));
                slowest = Math.max(slowest, millis(server, "/is_staged?archive_url=gs://" + BUCKET + "/t/R2&artifacts=stateful"));
            }
            assertTrue(slowest < 1000, "the slowest answer while recording was held took " + slowest + " ms");
            assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "the held requests are still being recorded");
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            for (var r : held) {
                assertEquals("Success", r.get(60, TimeUnit.SECONDS).body());
            }
        }
    }

    @Test
    void twoHundredCallersOfOneArtifactAreAnsweredAboutWhenOneCallerAloneIs() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            for (String build : List.of("alone", "herd")) {
                gcs.put(BUCKET, "t/" + build + "/stateful.tgz", random(4 * MB, build.length()));
                gcs.faults(BUCKET, "t/" + build + "/stateful.tgz").delayPerMegabyteMs = 250;
            }
            long start = System.nanoTime();
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/alone&artifacts=stateful").body());
            long alone = (System.nanoTime() - start) / 1_000_000;
            List<CompletableFuture<Long>> callers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long sent = System.nanoTime();
                callers.add(getAsync(server, "/stage?archive_url=gs://" + BUCKET + "/t/herd&artifacts=stateful").thenApply(r -> {
                    assertEquals("Success", r.body());
                    return (System.nanoTime() - sent) / 1_000_000;
                }));
            }
            long slowest = 0;
            for (var c : callers) {
                slowest = Math.max(slowest, c.get(120, TimeUnit.SECONDS));
            }
            assertTrue(slowest <= alone + 2000, "200 callers: slowest " + slowest + " ms; one caller alone " + alone + " ms");
            assertEquals(1, server.jobs(null, "gs://" + BUCKET + "/t/herd").size(), "one job for all of them");
        }
    }
}
