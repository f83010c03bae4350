package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.Settings;
import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.MutableClock;
import dev.stagehand.testing.Server;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A quota of five builds: the least recently read builds make room; nothing in use goes. */
@Tag("integration")
class EvictionTest {
    static final String BUCKET = "bkt";
    static final int MB = 1 << 20;

    @TempDir Path dir;
    final MutableClock clock = new MutableClock();
    final ObjectMapper json = new ObjectMapper();
    FakeGcs gcs;
    Server server;
    int unit;

    /** Twelve builds of {@code unitMb} MiB each, and a quota of five of them. */
    void start(int unitMb) throws Exception {
        unit = unitMb * MB;
        gcs = new FakeGcs();
        for (int b = 0; b < 12; b++) {
            gcs.put(BUCKET, path(b) + "/stateful.tgz", random(unit, b));
        }
        Settings s = Server.settings(dir, gcs);
        server = Server.start(s.withDisk(new DiskLimits(5L * unitMb, 0L)), clock);
    }

    @AfterEach
    void stop() {
        server.close();
        gcs.close();
    }

    static String path(int build) {
        return "target/R" + build + "-1.0.0";
    }

    static String url(int build) {
        return "gs://" + BUCKET + "/" + path(build);
    }

    private String stage(int build) throws Exception {
        return server.get("/stage?archive_url=" + url(build) + "&artifacts=stateful").body();
    }

    private long stagedBytesInHealth() {
        try {
            return json.readTree(server.get("/check_health").body()).get("staged_bytes").asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean staged(int build) throws Exception {
        return server.get("/is_staged?archive_url=" + url(build) + "&artifacts=stateful").body().equals("True");
    }

    /** Bytes of the files under the static dir but markers; a job's work dir removed while it is walked counts as gone. */
    private long bytesUnderStaticDir() throws Exception {
        long[] bytes = {0};
        Files.walkFileTree(server.staticDir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !p.toString().contains("/markers/")) {
                    bytes[0] += attrs.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException gone) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return bytes[0];
    }

    private int download(int build) throws Exception {
        return server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/download/" + BUCKET + "/"
                + path(build) + "/stateful.tgz")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    /** The caching protocol's objects are builds' files like any: under the quota, least recently read first, fetched again after. */
    @Test
    void pulledThroughObjectsAreEvictedLeastRecentlyReadFirst() throws Exception {
        start(1);
        for (int b = 0; b < 8; b++) {
            assertEquals(200, download(b), "build " + b);
            int build = b;
            Eventually.await(Duration.ofSeconds(10), "build " + b + " to be installed",
                    () -> Files.exists(server.build(path(build)).resolve("stateful.tgz")));
            assertTrue(bytesUnderStaticDir() <= 5L * unit, "over the quota after build " + b + ": " + bytesUnderStaticDir());
            clock.advance(Duration.ofMinutes(2));
            assertEquals(200, download(0), "build 0 is read all along");
        }
        assertTrue(Files.exists(server.build(path(0)).resolve("stateful.tgz")), "the object read all along stays");
        assertTrue(!Files.exists(server.build(path(1)).resolve("stateful.tgz")), "the least recently read went");
        assertEquals("False", server.get("/is_staged?archive_url=" + url(1) + "&files=stateful.tgz").body());
        assertEquals(200, download(1));
        assertEquals(2L * unit, gcs.bytesServed(BUCKET, path(1) + "/stateful.tgz"), "fetched again after its eviction");
    }

    @Test
    void aStreamOfBuildsStaysUnderTheQuotaAndTheBuildBeingUsedSurvives() throws Exception {
        start(1);
        for (int b = 0; b < 12; b++) {
            assertEquals("Success", stage(b), "build " + b);
            assertTrue(bytesUnderStaticDir() <= 5L * unit, "over the quota after build " + b + ": " + bytesUnderStaticDir());
            clock.advance(Duration.ofMinutes(2));
            assertEquals(200, server.get("/static/" + path(0) + "/stateful.tgz").statusCode(), "build 0 is read all along");
        }
        assertTrue(staged(0), "the build read all along was never evicted");
        assertTrue(staged(11) && staged(10) && staged(9), "the newest builds are staged");
        assertTrue(!staged(1) && !staged(2), "the least recently used went");
        var db = server.stagehand.database().dsl();
        assertEquals(7, db.fetchCount(Tables.EVICTION), "12 builds, room for 5");
        assertEquals(12, db.fetchCount(Tables.JOB), "evicted builds keep their job history");
        JsonNode evictions = json.readTree(server.get("/api/v1/evictions").body());
        assertEquals(7, evictions.size());
        assertEquals(MB, evictions.get(0).get("bytes_freed").asLong());
        assertTrue(evictions.get(0).get("reason").asText().contains("to make room for stateful.tgz"));
        // check_health answers from figures read each second in the background
        Eventually.await(Duration.ofSeconds(10), "check_health to show the staged bytes",
                () -> stagedBytesInHealth() == 5L * MB);
        JsonNode health = json.readTree(server.get("/check_health").body());
        assertEquals(5L * MB, health.get("max_staged_bytes").asLong());
        assertTrue(health.get("free_disk_bytes").asLong() > 0);
    }

    @Test
    void onOneNodeTheLeastRecentlyReadBuildGoesFirstEvenWithinAMinute() throws Exception {
        start(1); // a quota of five builds; the clock does not move: every read is within the same minute
        assertEquals("Success", stage(0));
        for (int b = 1; b < 12; b++) {
            assertEquals(200, server.get("/static/" + path(0) + "/stateful.tgz").statusCode());
            assertEquals("Success", stage(b), "build " + b);
            assertTrue(staged(0), "build 0, read just before each stage, stays (after build " + b + ")");
        }
        assertTrue(!staged(1) && !staged(2), "the builds read less recently went");
        assertEquals(7, server.stagehand.database().dsl().fetchCount(Tables.EVICTION));
    }

    @Test
    void anEvictedBuildIsNotStagedAndStagesAgainOnRequest() throws Exception {
        start(1);
        for (int b = 0; b < 6; b++) {
            assertEquals("Success", stage(b));
            clock.advance(Duration.ofMinutes(2));
        }
        assertTrue(!staged(0), "build 0 made room for build 5");
        assertEquals("Success", stage(0));
        assertTrue(staged(0));
        assertTrue(Files.readAllBytes(server.build(path(0)).resolve("stateful.tgz")).length == MB);
        JsonNode builds = json.readTree(server.get("/api/v1/builds").body());
        assertTrue(builds.findValuesAsText("build_path").contains(path(0)));
        assertEquals(2, server.jobs("SUCCEEDED", url(0)).size(), "the first job stays in the history");
    }

    @Test
    void aBuildWithAnActiveJobOrBeingReadIsNeverEvictedAndWhenNothingCanGoTheJobFailsAtOnce() throws Exception {
        start(4); // a read of 8 MiB outlasts the kernel's socket buffers, so the server is still sending it
        for (int b = 0; b < 5; b++) {
            assertEquals("Success", stage(b));
            clock.advance(Duration.ofMinutes(2));
        }
        // Build 0, the least recently used, gets an active job (waiting for its upload); build 1 is being read.
        assertEquals("Success", server.get("/stage?archive_url=" + url(0) + "&artifacts=full_payload&async=True"
                + "&wait_for_upload_s=600").body());
        Eventually.await(Duration.ofSeconds(20), "build 0's job to wait for its upload",
                () -> server.jobs("WAITING_UPLOAD", url(0)).size() == 1);
        gcs.put(BUCKET, path(1) + "/big.bin", new byte[2 * unit]);
        assertEquals("Success", server.get("/stage?archive_url=" + url(1) + "&files=big.bin").body(),
                "room made by evicting builds 2 and 3, not build 0");
        assertTrue(staged(0) && !staged(2) && !staged(3) && staged(4));
        try (SlowReader reader = new SlowReader(server.stagehand.port(), "/static/" + path(1) + "/big.bin")) {
            Eventually.await(Duration.ofSeconds(10), "the slow read to start", reader::started);
            clock.advance(Duration.ofMinutes(2));
            assertEquals(200, server.get("/static/" + path(4) + "/stateful.tgz").statusCode()); // 1 is now the least recently read
            assertEquals("Success", stage(5), "room made by evicting build 4, the only idle one not being read");
            assertTrue(staged(1), "the build being read stayed, although it was the least recently used");
            assertTrue(!staged(4));
            gcs.put(BUCKET, path(6) + "/stateful.tgz", random(2 * unit, 60));
            var refused = server.get("/stage?archive_url=" + url(6) + "&artifacts=stateful");
            assertEquals(500, refused.statusCode());
            assertTrue(refused.body().contains("no room for stateful.tgz (8.0 MiB)"), refused.body());
            assertEquals(1, server.jobs(null, url(6)).get(0).attempts(), "failed at once");
            assertTrue(staged(5), "nothing was evicted in vain");
        }
        assertTrue(staged(0), "build 0 has an active job: never evicted");
        // its upload check may be running or queued this very moment: find it in any state
        server.stagehand.queue().cancel(server.jobs(null, url(0)).stream().filter(j -> j.artifact().equals("full_payload"))
                .findFirst().orElseThrow().id());
    }

    /** Reads a file a few bytes at a time and then stalls, so the server is in the middle of sending it. */
    static final class SlowReader implements AutoCloseable {
        private final Socket socket;
        private volatile boolean started;

        SlowReader(int port, String path) throws Exception {
            socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connecting, so the window stays small
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Thread t = new Thread(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    in.read(new byte[100]);
                    started = true;
                } catch (Exception ignored) {
                    // closed by the test
                }
            });
            t.setDaemon(true);
            t.start();
        }

        boolean started() {
            return started;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
