package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.Settings;
import dev.stagehand.queue.JobView;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives.Compression;
import dev.stagehand.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static dir on a 16 MiB filesystem: a full disk is said plainly, retried, and never left full by us. */
@Tag("integration")
class DiskFullTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R1-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;

    @TempDir Path dir;
    Tmpfs disk;
    FakeGcs gcs;
    Server server;

    @BeforeEach
    void start() throws Exception {
        disk = Tmpfs.mount(dir.resolve("static"), 16);
        gcs = new FakeGcs();
        Settings s = Server.settings(dir, gcs);
        server = Server.start(s.withDisk(new DiskLimits(null, 0L)));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (gcs != null) {
            gcs.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    @Test
    void anObjectThatCannotFitFailsAtOnceNamingTheSizesAndLeavesNothing() throws Exception {
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(20 << 20, 1));
        var response = server.get("/stage?archive_url=" + URL + "&artifacts=stateful");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("no room for stateful.tgz (20.0 MiB)") && response.body().contains("free"),
                response.body());
        JobView job = server.jobs(null, URL).get(0);
        assertEquals(1, job.attempts(), "failed before downloading, without retries");
        assertFalse(Files.exists(server.staticDir.resolve(".stagehand/partial/" + job.id())), "no partial file");
    }

    @Test
    void anExtractionThatCannotFitStopsBeforeTheDiskIsFullNamingTheSizesNotACorruptArchive() throws Exception {
        // 20 MiB of zeros compress to a few KiB: the download fits, the extraction does not. Its bytes
        // are reserved as they are written, so it stops while the disk still has room.
        gcs.put(BUCKET, PATH + "/debug.tgz", tar().file("debug/breakpad/big.sym", new byte[20 << 20]).build(Compression.GZIP));
        var response = server.get("/stage?archive_url=" + URL + "&artifacts=symbols");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("no room for what debug.tgz unpacks to") && response.body().contains("free"),
                response.body());
        assertFalse(response.body().contains("corrupt"), response.body());
        JobView job = server.jobs(null, URL).get(0);
        assertEquals(1, job.attempts(), "no retry: evicting everything would not make room");
        assertTrue(disk.free() > 15 << 20, "the failed attempt left nothing behind: " + disk.free());
    }

    @Test
    void aDownloadThatRunsOutOfSpaceFreesItsPartialFileWhenItGivesUpSoTheNextArtifactFits() throws Exception {
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(10 << 20, 2));
        gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 500;
        gcs.put(BUCKET, PATH + "/chromeos_R1-1.0.0_x_full_dev.bin", random(2 << 20, 3));
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        long jobId = server.jobs(null, URL).get(0).id();
        Path partial = server.staticDir.resolve(".stagehand/partial/" + jobId + "/stateful.tgz");
        Eventually.await(Duration.ofSeconds(30), "the download to be under way", () -> partial.toFile().length() >= 2 << 20);
        Path filler = server.staticDir.resolve("filler");
        Files.write(filler, new byte[(int) (disk.free() - (1 << 20))]); // someone else fills the disk
        Eventually.await(Duration.ofSeconds(60), "the job to give up", () -> !dev.stagehand.queue.JobStates.isActive(server.job(jobId).state()));
        JobView job = server.job(jobId);
        assertEquals("FAILED", job.state().name());
        assertTrue(job.lastError().contains("space") || job.lastError().contains("room"), job.lastError());
        // The row says FAILED as the transaction commits; the partial file goes right after, before any caller is told.
        Eventually.await(Duration.ofSeconds(10), "the partial download to be freed when the job gave up", () -> !Files.exists(partial.getParent()));
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=full_payload").body(),
                "the space it freed is enough for the next artifact");
    }
}
