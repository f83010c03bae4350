package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.staging.transfer.DownloadSettings;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives.Compression;
import dev.stagehand.testing.TestArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar artifacts and zip members fetched ahead over several connections, handed over in order. */
@Tag("integration")
class ParallelExtractTest {
    static final String BUCKET = "bkt";
    static final int MB = 1 << 20;

    @TempDir Path dir;

    /** Stages {@code artifact} of a build holding {@code name}, with {@code streams} connections; returns the milliseconds it took. */
    private long stage(FakeGcs gcs, String build, String name, byte[] bytes, String artifact, int streams) throws Exception {
        gcs.put(BUCKET, "target/" + build + "/" + name, bytes);
        try (Server server = Server.start(Server.withDownloads(Server.settings(dir.resolve(build), gcs),
                new DownloadSettings(MB, streams, 0)))) {
            long started = System.nanoTime();
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/target/" + build + "&artifacts=" + artifact).body());
            return (System.nanoTime() - started) / 1_000_000;
        }
    }

    @Test
    void aTarIsExtractedInOrderWhileFourConnectionsFetchAhead() throws Exception {
        TestArchives.Tar tar = tar();
        // 16 MiB: four full 4 MiB chunks at once (with 12 MiB the fourth chunk was a few header bytes,
        // done before the others started)
        for (int i = 0; i < 16; i++) {
            tar.file("autotest/client/tests/t" + i + "/data.bin", random(MB, 100 + i));
        }
        byte[] archive = tar.build(Compression.NONE);
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.throttlePerConnection(4L * MB);
            long one = stage(gcs, "R1-1.0.0", "autotest.tar", archive, "autotest", 1);
            long four = stage(gcs, "R2-1.0.0", "autotest.tar", archive, "autotest", 4);
            for (int i = 0; i < 16; i++) {
                assertArrayEquals(random(MB, 100 + i), Files.readAllBytes(dir.resolve("R2-1.0.0/static/target/R2-1.0.0/autotest/client/tests/t"
                        + i + "/data.bin")));
            }
            assertTrue(gcs.maxMediaInFlight() >= 4, "fetched over several connections");
            // Four times the connections: at least 1.5 times as fast, with room for a loaded machine (serial is 1x).
            assertTrue(four * 3 < one * 2, "16 MiB tar: 4 streams " + four + " ms, 1 stream " + one + " ms");
            System.out.printf("16 MiB tar at 4 MiB/s per connection: 1 stream %d ms, 4 streams %d ms%n", one, four);
        }
    }

    @Test
    void aLargeZipMemberComesOverSeveralConnectionsAndNothingElseOfTheZipIsFetched() throws Exception {
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("chromiumos_base_image.bin", random(12 * MB, 1));
        images.put("chromiumos_test_image.bin", random(12 * MB, 2));
        byte[] zip = TestArchives.zip(images);
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.throttlePerConnection(4L * MB);
            long one = stage(gcs, "R3-1.0.0", "image.zip", zip, "test_image", 1);
            long servedOne = gcs.bytesServed(BUCKET, "target/R3-1.0.0/image.zip");
            long four = stage(gcs, "R4-1.0.0", "image.zip", zip, "test_image", 4);
            long servedFour = gcs.bytesServed(BUCKET, "target/R4-1.0.0/image.zip");
            assertArrayEquals(images.get("chromiumos_test_image.bin"),
                    Files.readAllBytes(dir.resolve("R4-1.0.0/static/target/R4-1.0.0/chromiumos_test_image.bin")));
            assertTrue(servedFour <= 12 * MB * 1.05 + 256 * 1024, "only the member (and the directory): " + servedFour);
            assertTrue(four * 3 < one * 2, "12 MiB member: 4 streams " + four + " ms, 1 stream " + one + " ms (" + servedOne + " bytes)");
        }
    }
}
