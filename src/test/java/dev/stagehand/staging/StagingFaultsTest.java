package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.queue.JobView;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives.Compression;
import dev.stagehand.testing.TestArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Faults in the archive and hostile or corrupt archives: never a partial or escaping artifact. */
@Tag("integration")
class StagingFaultsTest extends ServerTest {
    static final String BUCKET = "bkt";

    private String put(String build, String name, byte[] content) {
        gcs.put(BUCKET, "target/" + build + "/" + name, content);
        return "gs://" + BUCKET + "/target/" + build;
    }

    private JobView onlyJob(String url) {
        List<JobView> jobs = server.jobs(null, url);
        assertEquals(1, jobs.size());
        return jobs.get(0);
    }

    @Test
    void aChecksumMismatchIsRetriedAndThenSucceeds() throws Exception {
        String url = put("R1-1", "stateful.tgz", random(300_000, 1));
        gcs.faults(BUCKET, "target/R1-1/stateful.tgz").corrupt.set(1);
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=stateful").body());
        assertEquals(2, onlyJob(url).attempts());
        assertTrue(Arrays.equals(random(300_000, 1), Files.readAllBytes(server.build("target/R1-1/stateful.tgz"))));
    }

    @Test
    void aPersistentChecksumMismatchFailsAndStagesNothing() throws Exception {
        String url = put("R1-2", "stateful.tgz", random(300_000, 2));
        gcs.faults(BUCKET, "target/R1-2/stateful.tgz").corrupt.set(100);
        var response = server.get("/stage?archive_url=" + url + "&artifacts=stateful");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("stateful") && response.body().contains("checksum mismatch"), response.body());
        assertEquals(3, onlyJob(url).attempts());
        assertFalse(Files.exists(server.build("target/R1-2/stateful.tgz")));
        var staged = server.get("/is_staged?archive_url=" + url + "&artifacts=stateful");
        assertEquals(500, staged.statusCode());
        assertTrue(staged.body().contains("checksum mismatch"));
    }

    @Test
    void unavailableArchiveAnswersAreRetriedByOurPolicyEachAttemptInTheHistory() throws Exception {
        String url = put("R1-6", "stateful.tgz", random(1000, 6));
        gcs.faults(BUCKET, "target/R1-6/stateful.tgz").unavailable.set(2);
        // A named file: its job alone reads the object's metadata (an artifact's is read ahead
        // too, as the request is recorded, and that read would meet the first 503).
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&files=stateful.tgz").body());
        assertEquals(0, gcs.faults(BUCKET, "target/R1-6/stateful.tgz").unavailable.get(), "both 503s were served");
        var attempts = server.attempts(onlyJob(url).id());
        assertEquals(List.of("RETRY", "RETRY", "SUCCEEDED"), attempts.stream().map(a -> a.outcome().name()).toList(),
                "the client does not retry on its own: each try is ours, and recorded");
        assertTrue(attempts.get(0).error().startsWith("GCS is unavailable (503) while reading the metadata of gs://"),
                attempts.get(0).error());
    }

    @Test
    void aDroppedConnectionResumesWithoutFetchingTheObjectAgain() throws Exception {
        int size = 4 * 1024 * 1024;
        String url = put("R1-3", "stateful.tgz", random(size, 3));
        FakeGcs.Faults faults = gcs.faults(BUCKET, "target/R1-3/stateful.tgz");
        faults.dropAt = size / 2;
        faults.dropAfterBytes.set(1);
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=stateful").body());
        long served = gcs.bytesServed(BUCKET, "target/R1-3/stateful.tgz");
        assertTrue(served <= size * 1.10, "fetched " + served + " bytes for " + size);
        assertTrue(Arrays.equals(random(size, 3), Files.readAllBytes(server.build("target/R1-3/stateful.tgz"))));
    }

    @Test
    void anArtifactThatAppearsAfterThreeSecondsIsWaitedFor() throws Exception {
        String url = put("R1-4", "stateful.tgz", random(1000, 4));
        gcs.faults(BUCKET, "target/R1-4/stateful.tgz").visibleAfterMillis = 3000;
        long start = System.nanoTime();
        var response = server.get("/stage?archive_url=" + url + "&artifacts=stateful&wait_for_upload_s=15");
        assertEquals("Success", response.body());
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 2500, "it really waited for the upload");
    }

    @Test
    void aMissingArtifactFailsAfterTheDeadlineNamingTheArchive() throws Exception {
        String url = put("R1-5", "other.bin", random(10, 5));
        var response = server.get("/stage?archive_url=" + url + "&artifacts=stateful&wait_for_upload_s=1");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("stateful not found in archive " + url), response.body());
        assertEquals(1, onlyJob(url).attempts(), "not found after the deadline is not retried");
    }

    @Test
    void hostileArchivesAreRejectedAndNothingIsWritten() throws Exception {
        Map<String, TestArchives.Tar> cases = Map.of(
                "dotdot", tar().file("autotest/ok.txt", "ok").file("../../evil-dotdot.txt", "x"),
                "absolute", tar().file("autotest/ok.txt", "ok").file("/tmp/evil-absolute.txt", "x"),
                "symlink", tar().file("autotest/ok.txt", "ok").symlink("autotest/evil-link", "../../../../../../etc/passwd"),
                "device", tar().file("autotest/ok.txt", "ok").device("autotest/evil-device"));
        for (var c : cases.entrySet()) {
            String url = put("hostile-" + c.getKey(), "autotest.tar", c.getValue().build(Compression.NONE));
            var response = server.get("/stage?archive_url=" + url + "&artifacts=autotest");
            assertEquals(500, response.statusCode(), c.getKey());
            assertTrue(response.body().contains("hostile archive"), c.getKey() + ": " + response.body());
            assertFalse(Files.exists(server.build("target/hostile-" + c.getKey() + "/autotest/ok.txt")), c.getKey());
            assertEquals(1, onlyJob(url).attempts(), "hostile archives are not retried");
        }
        try (Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith("evil")), "nothing escaped");
        }
        assertFalse(Files.exists(Path.of("/tmp/evil-absolute.txt")));
    }

    @Test
    void corruptAndTruncatedArchivesFailCleanly() throws Exception {
        byte[] tgz = tar().file("debug/breakpad/a.sym", new String(random(50_000, 9))).build(Compression.GZIP);
        Map<String, String[]> cases = Map.of(
                "corrupt-tar", new String[] {"autotest.tar", "autotest"},
                "truncated-tgz", new String[] {"debug.tgz", "symbols"},
                "corrupt-zip", new String[] {"image.zip", "test_image"});
        for (var c : cases.entrySet()) {
            byte[] content = switch (c.getKey()) {
                case "truncated-tgz" -> Arrays.copyOf(tgz, tgz.length / 2);
                default -> random(100_000, 10);
            };
            String url = put(c.getKey(), c.getValue()[0], content);
            var response = server.get("/stage?archive_url=" + url + "&artifacts=" + c.getValue()[1]);
            assertEquals(500, response.statusCode(), c.getKey());
            assertTrue(response.body().contains("corrupt archive"), c.getKey() + ": " + response.body());
            assertEquals(1, onlyJob(url).attempts(), c.getKey() + " is not retried");
            assertFalse(Files.exists(server.build("target/" + c.getKey())) && Files.list(server.build("target/" + c.getKey()))
                    .findAny().isPresent(), c.getKey() + " installed nothing");
        }
    }

    @Test
    void fileArchivesOutsideTheAllowedRootsAreRefused() throws Exception {
        Path outside = dir.resolve("elsewhere/target/R1");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("stateful.tgz"), "x");
        var response = server.get("/stage?archive_url=file://" + outside + "&artifacts=stateful");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("outside the allowed local archive roots"), response.body());
        assertEquals(0, server.jobs(null, null).size(), "nothing queued");
    }

    @Test
    void aSymlinkUnderAnArchiveRootDoesNotWidenIt() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/R1"));
        Files.writeString(elsewhere.resolve("stateful.tgz"), "x");
        Files.createDirectories(dir.resolve("archive"));
        Files.createSymbolicLink(dir.resolve("archive/lnk"), dir.resolve("elsewhere"));
        var response = server.get("/stage?archive_url=file://" + dir.resolve("archive/lnk/R1") + "&artifacts=stateful");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("outside the allowed local archive roots"), response.body());
        assertFalse(response.body().contains(dir.resolve("archive").toString() + ","), "the roots are not listed to callers");
        assertEquals(0, server.jobs(null, null).size(), "nothing queued");
    }

    @Test
    void aSymlinkInsideALocalBuildIsNotReadThrough() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET");
        Path build = Files.createDirectories(dir.resolve("archive/target/R3"));
        Files.createSymbolicLink(build.resolve("stateful.tgz"), dir.resolve("secret.txt"));
        var response = server.get("/stage?archive_url=file://" + build + "&artifacts=stateful&wait_for_upload_s=0");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("not found"), response.body());
        assertFalse(Files.exists(server.build("target/R3/stateful.tgz")));
    }

    @Test
    void fileArchivesUnderAnAllowedRootStage() throws Exception {
        Path build = dir.resolve("archive/target/R2");
        Files.createDirectories(build);
        Files.writeString(build.resolve("stateful.tgz"), "local");
        assertEquals("Success", server.get("/stage?archive_url=file://" + build + "&artifacts=stateful").body());
        assertEquals("local", Files.readString(server.build("target/R2/stateful.tgz")));
    }
}
