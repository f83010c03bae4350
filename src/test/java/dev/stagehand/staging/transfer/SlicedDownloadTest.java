package dev.stagehand.staging.transfer;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.testing.FakeGcs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large objects over several connections: faster in proportion, retried per slice, verified whole. */
@Tag("integration")
class SlicedDownloadTest {
    static final String BUCKET = "bkt";
    static final String BUILD = "target/R1-1.0.0";
    static final int MB = 1 << 20;

    @TempDir Path dir;
    FakeGcs gcs;
    ArchiveSource source;

    @BeforeEach
    void start() throws Exception {
        gcs = new FakeGcs();
        source = new ArchiveSources(List.of(), new ArchiveSources.GcsSettings(gcs.endpoint(), true), n -> {})
                .open(ArchiveUrl.parse("gs://" + BUCKET + "/" + BUILD));
    }

    @AfterEach
    void stop() {
        gcs.close();
    }

    private ObjectInfo put(String name, byte[] bytes) throws Exception {
        gcs.put(BUCKET, BUILD + "/" + name, bytes);
        return source.stat(name).orElseThrow();
    }

    private long fetch(ObjectInfo info, int streams) throws Exception {
        long started = System.nanoTime();
        Download.fetch(source, info, dir.resolve("partial/" + streams + "/" + info.name()), Progress.NONE,
                new DownloadSettings(MB, streams, 0), n -> {});
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void crcOfJoinedPiecesIsTheCombinationOfTheirCrcs() {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            byte[] data = random(random.nextInt(100_000) + 1, round);
            int cut = random.nextInt(data.length + 1);
            CRC32C whole = new CRC32C();
            whole.update(data);
            CRC32C a = new CRC32C();
            a.update(data, 0, cut);
            CRC32C b = new CRC32C();
            b.update(data, cut, data.length - cut);
            assertEquals((int) whole.getValue(), Crc32c.combine((int) a.getValue(), (int) b.getValue(), data.length - cut));
        }
    }

    @Test
    void fourStreamsOfAThrottledStoreAreAboutFourTimesFasterThanOne() throws Exception {
        byte[] bytes = random(16 * MB, 1);
        ObjectInfo info = put("image.bin", bytes);
        gcs.throttlePerConnection(4L * MB); // 4 MiB/s per connection, like a capped GCS stream
        long one = fetch(info, 1);
        long four = fetch(info, 4);
        assertEquals(4, gcs.maxMediaInFlight(), "four connections at once");
        assertTrue(four * 2.5 < one, "4 streams took " + four + " ms, 1 stream " + one + " ms");
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("partial/4/image.bin")));
        System.out.printf("16 MiB at 4 MiB/s per connection: 1 stream %d ms, 4 streams %d ms%n", one, four);
    }

    @Test
    void aFirstStreamFasterThanTheFastRateIsNotSplit() throws Exception {
        byte[] bytes = random(16 * MB, 6);
        ObjectInfo info = put("image.bin", bytes);
        Path partial = dir.resolve("probe/image.bin");
        Download.fetch(source, info, partial, Progress.NONE, new DownloadSettings(MB, 4, 1), n -> {}); // 1 B/s: any stream is fast
        assertArrayEquals(bytes, Files.readAllBytes(partial));
        assertEquals(List.of(0L), gcs.rangeStarts(BUCKET, BUILD + "/image.bin"), "one stream for the whole object");
    }

    @Test
    void aSlowFirstStreamStopsWhereItIsAndTheRestIsSharedAmongTheStreams() throws Exception {
        byte[] bytes = random(16 * MB, 7);
        ObjectInfo info = put("image.bin", bytes);
        gcs.throttlePerConnection(4L * MB);
        Path partial = dir.resolve("probe/image.bin");
        long started = System.nanoTime();
        Download.fetch(source, info, partial, Progress.NONE, new DownloadSettings(MB, 4, 64L * MB), n -> {});
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertArrayEquals(bytes, Files.readAllBytes(partial));
        List<Long> starts = gcs.rangeStarts(BUCKET, BUILD + "/image.bin");
        assertEquals(5, starts.size(), "the probing stream, then four slices of the rest: " + starts);
        assertEquals(0L, starts.get(0));
        long cut = starts.subList(1, 5).stream().mapToLong(Long::longValue).min().orElseThrow();
        assertTrue(cut > 0 && cut < 4 * MB, "the rest starts where the probe stopped: " + starts);
        assertTrue(gcs.maxMediaInFlight() >= 4, "the rest over four connections at once");
        long served = gcs.bytesServed(BUCKET, BUILD + "/image.bin");
        assertTrue(served <= bytes.length + 2 * MB, "the probe's bytes were kept, not fetched again: " + served);
        assertTrue(ms < 2500, "16 MiB at 4 MiB/s per connection took " + ms + " ms (one stream: 4000)");
    }

    @Test
    void aDownloadKilledWhileProbingResumesItsStreamAndIsJudgedAgain() throws Exception {
        byte[] bytes = random(16 * MB, 8);
        ObjectInfo info = put("image.bin", bytes);
        Path partial = dir.resolve("probe/image.bin");
        Files.createDirectories(partial.getParent());
        byte[] left = new byte[bytes.length]; // what a probe killed after 2 MiB leaves: the file at full size, one slice
        System.arraycopy(bytes, 0, left, 0, 2 * MB);
        Files.write(partial, left);
        Files.writeString(partial.resolveSibling("image.bin.slices"),
                "generation " + info.generation() + " size " + info.size() + "\n0 " + info.size() + " " + 2 * MB + "\n");
        gcs.throttlePerConnection(4L * MB);
        Download.fetch(source, info, partial, Progress.NONE, new DownloadSettings(MB, 4, 64L * MB), n -> {});
        assertArrayEquals(bytes, Files.readAllBytes(partial));
        List<Long> starts = gcs.rangeStarts(BUCKET, BUILD + "/image.bin");
        assertEquals(2L * MB, starts.get(0), "the stream resumed where the sidecar said: " + starts);
        assertEquals(5, starts.size(), "then, slow, the rest went over four slices: " + starts);
        assertTrue(gcs.bytesServed(BUCKET, BUILD + "/image.bin") <= bytes.length, "nothing fetched twice");
    }

    @Test
    void aSliceWhoseConnectionDropsIsResumedAloneInsideItself() throws Exception {
        byte[] bytes = random(8 * MB, 2);
        ObjectInfo info = put("image.bin", bytes);
        gcs.faults(BUCKET, BUILD + "/image.bin").dropAt = 512 * 1024;
        gcs.faults(BUCKET, BUILD + "/image.bin").dropAfterBytes.set(2);
        fetch(info, 4);
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("partial/4/image.bin")));
        assertEquals(4 + 2, gcs.rangeStarts(BUCKET, BUILD + "/image.bin").size(), "two reopened slices, no other request");
        long served = gcs.bytesServed(BUCKET, BUILD + "/image.bin");
        assertTrue(served <= bytes.length + 256 * 1024, "no slice was fetched again from its start: " + served);
    }

    @Test
    void aCorruptSliceFailsTheWholeObjectAndLeavesNothing() throws Exception {
        ObjectInfo info = put("image.bin", random(8 * MB, 3));
        gcs.faults(BUCKET, BUILD + "/image.bin").corrupt.set(1);
        assertThrows(Checksums.ChecksumMismatch.class, () -> fetch(info, 4));
        assertFalse(Files.exists(dir.resolve("partial/4/image.bin")), "a failed verification keeps nothing");
        assertFalse(Files.exists(dir.resolve("partial/4/image.bin.slices")));
    }

    @Test
    void withOnlyAnMd5TheFileIsReadBackAndChecked() throws Exception {
        byte[] bytes = random(4 * MB, 4);
        gcs.faults(BUCKET, BUILD + "/md5.bin").noCrc32c = true;
        ObjectInfo info = put("md5.bin", bytes);
        assertEquals(null, info.crc32cBase64());
        fetch(info, 4);
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("partial/4/md5.bin")));
        gcs.faults(BUCKET, BUILD + "/md5.bin").corrupt.set(1);
        assertThrows(Checksums.ChecksumMismatch.class, () -> Download.fetch(source, info, dir.resolve("again/md5.bin"),
                Progress.NONE, new DownloadSettings(MB, 4, 0), n -> {}));
    }
}
