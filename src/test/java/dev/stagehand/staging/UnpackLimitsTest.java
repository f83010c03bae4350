package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.Settings;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an extraction writes is bounded by the flags and the quota, counted as it is written. */
@Tag("integration")
class UnpackLimitsTest {
    static final String BUCKET = "bkt";
    @TempDir Path dir;

    private static byte[] zerosTgz(long mib) throws Exception {
        return tar().zeros("debug/breakpad/zeros.sym", mib << 20).build(Compression.GZIP);
    }

    @Test
    void anArtifactStopsAtMaxUnpackedBytesAndLeavesNothing() throws Exception {
        try (FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withArchive(new ArchiveLimits(1000, 0, 8L << 20)))) {
            gcs.put(BUCKET, "t/R1/debug.tgz", zerosTgz(20));
            var r = server.get("/stage?archive_url=gs://" + BUCKET + "/t/R1&artifacts=symbols");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("unpacks to more than 8.0 MiB (--max-unpacked-mb)"), r.body());
            assertNothingLeft(server, "t/R1");
        }
    }

    @Test
    void anExtractionNeverPassesTheQuotaWhateverItsHeadersSay() throws Exception {
        try (FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withArchive(new ArchiveLimits(1000, 0, 1L << 40))
                     .withDisk(new DiskLimits(16L, 0L)))) {
            gcs.put(BUCKET, "t/R2/debug.tgz", zerosTgz(40));
            var r = server.get("/stage?archive_url=gs://" + BUCKET + "/t/R2&artifacts=symbols");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("no room for what debug.tgz unpacks to") && r.body().contains("16.0 MiB quota"), r.body());
            assertNothingLeft(server, "t/R2");
            assertEquals(0L, server.stagehand.queue().buildLedger().stagedBytes());
        }
    }

    private static void assertNothingLeft(Server server, String build) throws Exception {
        assertFalse(Files.exists(server.build(build).resolve("debug/breakpad/zeros.sym")), "nothing partial installed");
        try (Stream<Path> work = Files.list(server.staticDir.resolve(".stagehand/work"))) {
            assertEquals(0, work.count(), "the work dir is gone");
        }
    }
}
