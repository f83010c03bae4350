package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.staging.transfer.DownloadSettings;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerMain;
import dev.stagehand.testing.TestArchives;
import dev.stagehand.testing.TestDb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class StagingCrashTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R9-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;

    @TempDir Path dir;

    @Test
    void aSigkillMidExtractLeavesNothingStagedAndTheJobCompletesAfterRestart() throws Exception {
        TestArchives.Tar tar = TestArchives.tar();
        for (int i = 0; i < 40; i++) {
            tar.file("autotest/client/tests/t" + i + "/data.bin", random(256 * 1024, i));
        }
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, PATH + "/autotest.tar", tar.build(TestArchives.Compression.NONE));
            gcs.faults(BUCKET, PATH + "/autotest.tar").delayPerMegabyteMs = 400;
            Path log = dir.resolve("server.log");
            Process child = ChildJvm.start(ServerMain.class, log, List.of(), dir.toString(), gcs.endpoint());
            try {
                Eventually.await(Duration.ofSeconds(60), "the child server to start", () -> ChildJvm.portFromLog(log) > 0);
                var accepted = get(ChildJvm.portFromLog(log), "/stage?archive_url=" + URL + "&artifacts=autotest&async=True");
                assertEquals("Success", accepted.body());
                Eventually.await(Duration.ofSeconds(60), "extraction to be under way", () -> extractedSoFar() > 0);
            } finally {
                ChildJvm.kill(child);
            }
            assertFalse(Files.exists(dir.resolve("static/" + PATH + "/autotest")), "nothing installed by the killed attempt");
            Path workDir = onlyEntry(dir.resolve("static/.stagehand/work")); // JOB-ATTEMPT
            assertTrue(workDir != null && workDir.getFileName().toString().endsWith("-1"), "the killed attempt left its work dir");
            try (Server server = Server.start(dir, gcs)) {
                if (!TestDb.postgres()) { // sharing a database, the dead node's job stays RUNNING until its node times out
                    assertFalse(Files.exists(workDir), "startup cleaned the interrupted attempt");
                }
                assertEquals("False", server.get("/is_staged?archive_url=" + URL + "&artifacts=autotest").body(),
                        "a half-extracted artifact is never reported staged");
                Eventually.await(Duration.ofSeconds(60), "the re-run job to stage the artifact", () -> {
                    try {
                        return server.get("/is_staged?archive_url=" + URL + "&artifacts=autotest").body().equals("True");
                    } catch (Exception e) {
                        return false;
                    }
                });
                var job = server.jobs(null, URL);
                assertEquals(1, job.size());
                assertEquals(2, job.get(0).attempts());
                assertEquals("ABANDONED", server.attempts(job.get(0).id()).get(0).outcome().name());
                String metrics = server.get("/metrics").body();
                assertTrue(metrics.contains("stagehand_job_attempts_total{outcome=\"ABANDONED\"} 1.0"),
                        "the node that took the job over counted the abandoned attempt");
                assertFalse(metrics.contains("outcome=\"RUNNING\""), "RUNNING is no outcome");
                assertFalse(Files.exists(workDir), "the next attempt dropped the scratch of the killed one");
                try (Stream<Path> files = Files.walk(server.build(PATH).resolve("autotest/client/tests"))) {
                    assertEquals(40, files.filter(Files::isRegularFile).count());
                }
                assertTrue(java.util.Arrays.equals(random(256 * 1024, 7),
                        Files.readAllBytes(server.build(PATH).resolve("autotest/client/tests/t7/data.bin"))));
            }
        }
    }

    @Test
    void aDownloadKilledHalfwayResumesFromTheBytesOnDiskAfterRestart() throws Exception {
        int size = 8 << 20;
        String object = PATH + "/stateful.tgz";
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, object, random(size, 99));
            gcs.faults(BUCKET, object).delayPerMegabyteMs = 1000;
            Path log = dir.resolve("server.log");
            Path partial;
            Process child = ChildJvm.start(ServerMain.class, log, List.of(), dir.toString(), gcs.endpoint());
            try {
                Eventually.await(Duration.ofSeconds(60), "the child server to start", () -> ChildJvm.portFromLog(log) > 0);
                assertEquals("Success", get(ChildJvm.portFromLog(log), "/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                partial = partialOfTheJob().resolve("stateful.tgz");
                Eventually.await(Duration.ofSeconds(60), "half the object on disk",
                        () -> partial.toFile().length() >= size / 2);
            } finally {
                ChildJvm.kill(child);
            }
            long onDisk = Files.size(partial);
            int requestsBeforeKill = gcs.rangeStarts(BUCKET, object).size();
            gcs.faults(BUCKET, object).delayPerMegabyteMs = 0;
            try (Server server = Server.start(dir, gcs)) {
                awaitStaged(server);
                assertTrue(java.util.Arrays.equals(random(size, 99), Files.readAllBytes(server.build(PATH).resolve("stateful.tgz"))));
                List<Long> starts = gcs.rangeStarts(BUCKET, object);
                assertEquals(List.of(onDisk), starts.subList(requestsBeforeKill, starts.size()),
                        "the restart fetched only the bytes missing on disk (one Range request from there)");
            }
        }
    }

    @Test
    void aSlicedDownloadKilledWithSlicesDoneFetchesOnlyTheUnfinishedSliceAfterRestart() throws Exception {
        int size = 16 << 20;
        long slice = 2 << 20; // 8 streams
        String object = PATH + "/stateful.tgz";
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, object, random(size, 77));
            gcs.faults(BUCKET, object).delayFrom = size - slice; // the last slice crawls
            gcs.faults(BUCKET, object).delayPerMegabyteMs = 60_000;
            Path log = dir.resolve("server.log");
            Process child = ChildJvm.start(ServerMain.class, log, List.of(), dir.toString(), gcs.endpoint(), Long.toString(1 << 20));
            try {
                Eventually.await(Duration.ofSeconds(60), "the child server to start", () -> ChildJvm.portFromLog(log) > 0);
                assertEquals("Success", get(ChildJvm.portFromLog(log), "/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                Path sidecar = partialOfTheJob().resolve("stateful.tgz.slices");
                Eventually.await(Duration.ofSeconds(60), "seven slices done in the sidecar", () -> doneSlices(sidecar) == 7);
            } finally {
                ChildJvm.kill(child);
            }
            int requestsBeforeKill = gcs.rangeStarts(BUCKET, object).size();
            gcs.faults(BUCKET, object).delayPerMegabyteMs = 0;
            try (Server server = Server.start(Server.withDownloads(Server.settings(dir, gcs), new DownloadSettings(1 << 20, 8, 0)))) {
                awaitStaged(server);
                assertTrue(java.util.Arrays.equals(random(size, 77), Files.readAllBytes(server.build(PATH).resolve("stateful.tgz"))));
                List<Long> after = gcs.rangeStarts(BUCKET, object).subList(requestsBeforeKill, gcs.rangeStarts(BUCKET, object).size());
                assertEquals(1, after.size(), "one request after the restart: " + after);
                assertTrue(after.get(0) >= size - slice, "inside the unfinished slice, so no finished slice was fetched again: " + after);
            }
        }
    }

    private static void awaitStaged(Server server) {
        Eventually.await(Duration.ofSeconds(60), "the resumed job to stage the file", () -> {
            try {
                return server.get("/is_staged?archive_url=" + URL + "&artifacts=stateful").body().equals("True");
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** The partial directory of the one job (named by its id, which the ledger drew: not always 1). */
    private Path partialOfTheJob() {
        Path partials = dir.resolve("static/.stagehand/partial");
        Eventually.await(Duration.ofSeconds(60), "the job's partial directory", () -> onlyEntry(partials) != null);
        return onlyEntry(partials);
    }

    /** The one entry of {@code parent}, or null while it has none (or more). */
    private static Path onlyEntry(Path parent) {
        try (Stream<Path> entries = Files.list(parent)) {
            List<Path> all = entries.toList();
            return all.size() == 1 ? all.get(0) : null;
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** How many slices the sidecar records as complete (0 while it does not exist). */
    private static int doneSlices(Path sidecar) {
        try {
            return (int) Files.readAllLines(sidecar).stream().skip(1).map(l -> l.split(" "))
                    .filter(f -> Long.parseLong(f[1]) - Long.parseLong(f[0]) == Long.parseLong(f[2])).count();
        } catch (Exception e) {
            return 0;
        }
    }

    private long extractedSoFar() {
        Path work = dir.resolve("static/.stagehand/work");
        if (!Files.isDirectory(work)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }


    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
