package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.cli.Main;
import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestDb;
import dev.stagehand.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database's own disk: staging stops before it fills; a database closed under the server
 * (H2 on a full disk) stops the server with one line instead of 500s forever; and a stop is
 * bounded even with a download that brings no bytes.
 */
@Tag("integration")
class DatabaseDiskTest {
    static final String BUCKET = "bkt";
    @TempDir Path dir;

    @BeforeEach
    void onlyOnH2() {
        Assumptions.assumeFalse(TestDb.postgres(), "the embedded database's own disk");
    }

    @Test
    void stagingStopsWhileTheDatabasesDiskIsShortOfItsReserve() throws Exception {
        try (Tmpfs db = Tmpfs.mount(dir.resolve("db"), 16); FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withDisk(new DiskLimits(null, null)))) {
            gcs.put(BUCKET, "t/R1/stateful.tgz", random(100_000, 1));
            Path filler = db.dir().resolve("filler");
            Files.write(filler, new byte[(int) Math.max(0, db.free() - (700 << 10))]);
            var r = server.get("/stage?archive_url=gs://" + BUCKET + "/t/R1&artifacts=stateful");
            assertEquals(500, r.statusCode(), r.body());
            assertTrue(r.body().contains("the database's disk has") && r.body().contains("kept free for it"), r.body());
            assertEquals(200, server.get("/check_health").statusCode(), "the database still answers");
            assertNull(server.fatal.get());
            Files.delete(filler);
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/R1&artifacts=stateful").body(),
                    "space freed: staging goes on");
        }
    }

    @Test
    void aDatabaseClosedUnderTheServerStopsItInsteadOfAnswering500Forever() throws Exception {
        try (Tmpfs db = Tmpfs.mount(dir.resolve("db"), 8); FakeGcs gcs = new FakeGcs()) {
            gcs.createBucket(BUCKET);
            Server server = Server.start(Server.settings(dir, gcs));
            List<String> acknowledged = new java.util.ArrayList<>();
            try {
                Path filler = db.dir().resolve("filler");
                Files.write(filler, new byte[(int) db.free()]);
                for (int i = 0; i < 200 && server.fatal.get() == null; i++) {
                    var r = server.get("/stage?archive_url=gs://" + BUCKET + "/t/R" + i + "&files=f&async=True");
                    if (r.body().equals("Success")) {
                        acknowledged.add("gs://" + BUCKET + "/t/R" + i);
                    }
                }
                Eventually.await(Duration.ofSeconds(30), "the server to notice its database closed", () -> server.fatal.get() != null);
                assertTrue(server.fatal.get().contains("the database was closed under the server") && !server.fatal.get().contains("\n"),
                        server.fatal.get());
                Files.delete(filler);
            } finally {
                server.stagehand.closeWithin(Duration.ofSeconds(10));
            }
            try (Server again = Server.start(Server.settings(dir, gcs))) {
                var db2 = again.stagehand.database().dsl();
                for (String url : acknowledged) {
                    assertTrue(db2.fetchExists(Tables.BUILD, Tables.BUILD.ARCHIVE_URL.eq(url)), "acknowledged " + url + " kept");
                }
            }
        }
    }

    @Test
    void aStopIsBoundedEvenWhileADownloadBringsNoBytes() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, "t/R1/stateful.tgz", random(4 << 20, 1));
            gcs.faults(BUCKET, "t/R1/stateful.tgz").holdAt = 1 << 20;
            Path log = dir.resolve("serve.log");
            Process p = ChildJvm.start(Main.class, log, List.of(), java.util.Map.of("STORAGE_EMULATOR_HOST", gcs.endpoint()),
                    "serve", "--port", "0", "--no-demo", "--db", TestDb.url(dir), "--static-dir", dir.resolve("static").toString(),
                    "--local-archive-root", dir.resolve("archive").toString(), "--shutdown-timeout-s", "3");
            try {
                Eventually.await(Duration.ofSeconds(60), "the server to start", () -> portOf(log) > 0);
                var http = java.net.http.HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + portOf(log);
                http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                        + "/stage?archive_url=gs://" + BUCKET + "/t/R1&artifacts=stateful&async=True")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                Eventually.await(Duration.ofSeconds(30), "the download to hang at its hold", () -> gcs.bytesServed(BUCKET, "t/R1/stateful.tgz") >= 1 << 20);
                long start = System.nanoTime();
                p.destroy(); // SIGTERM, as a supervisor stops it
                assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "stopped within its bound");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 15_000);
                // H2's own shutdown hook (it cannot be turned off with AUTO_SERVER) runs beside ours and
                // may close the database first: the hung attempt then ends at once and the stop is quick.
                // A stop that did wait out the bound must have said so.
                if (tookMs >= 3_000) {
                    assertTrue(Files.readString(log).contains("stopping took longer than 3 s"), Files.readString(log));
                }
            } finally {
                p.destroyForcibly().waitFor();
                gcs.releaseHolds();
            }
            gcs.faults(BUCKET, "t/R1/stateful.tgz").holdAt = -1;
            try (Server server = Server.start(Server.settings(dir, gcs))) {
                Eventually.await(Duration.ofSeconds(60), "the cut job to resume and finish",
                        () -> !server.jobs("SUCCEEDED", "gs://" + BUCKET + "/t/R1").isEmpty());
            }
        }
    }

    private static int portOf(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.startsWith("stagehand listening on port "))
                    .map(l -> Integer.parseInt(l.substring("stagehand listening on port ".length()).split(" ")[0])).findFirst().orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
