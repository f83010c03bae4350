package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Copies one object to a partial file, verifying it while it streams. The partial file and a
 * sidecar holding the object's generation survive a crash, so the next attempt continues from
 * the bytes on disk when the object is unchanged, and starts over when it changed.
 */
public final class Download {
    public static final int BUFFER = 1 << 20;
    /** Buffers in flight between network and disk per download (4 MiB); small ones stay in the CPU cache. */
    private static final int WRITE_BUFFERS = 16;
    private static final int WRITE_BUFFER_SIZE = 256 << 10;

    private Download() {}

    /**
     * Fetches {@code info} into {@code partial}, verified: sliced over several connections when it
     * is large ({@link SlicedDownload}), else one stream that resumes from the bytes on disk.
     * {@code landed} hears how many bytes from the start are on disk without a gap.
     */
    public static void fetch(ArchiveSource source, ObjectInfo info, Path partial, Progress progress, DownloadSettings settings,
            LongConsumer landed) throws IOException {
        if (settings.sliced(info.size())) {
            Files.deleteIfExists(PartialFile.generation(partial));
            SlicedDownload.fetch(source, info, partial, settings, progress, landed);
            return;
        }
        Files.deleteIfExists(PartialFile.slices(partial));
        Files.createDirectories(partial.getParent());
        Path generationFile = PartialFile.generation(partial);
        Checksums sums = new Checksums(info);
        long start = resumableBytes(info, partial, generationFile, sums);
        if (start == 0) {
            Files.deleteIfExists(partial);
            Files.writeString(generationFile, Long.toString(info.generation()), StandardCharsets.UTF_8);
        }
        try (SourceChannel in = new SourceChannel(source, info, start)) {
            copy(in, FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), sums, info,
                    progress, landed);
        }
        try {
            sums.verify(info);
        } catch (Checksums.ChecksumMismatch e) {
            PartialFile.discard(partial);
            throw e;
        }
        Files.deleteIfExists(generationFile);
    }

    /** Reads the object and writes the partial file at the same time; checksums see every byte. */
    private static void copy(SourceChannel in, FileChannel file, Checksums sums, ObjectInfo info, Progress progress,
            LongConsumer landed) throws IOException {
        OverlappedWriter out = new OverlappedWriter(file, WRITE_BUFFERS, WRITE_BUFFER_SIZE, "download-" + info.name(), sums::update,
                landed);
        long done = sums.size();
        try {
            boolean more = true;
            while (more) {
                ByteBuffer buffer = out.buffer();
                while (buffer.hasRemaining()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        more = false;
                        break;
                    }
                    done += n;
                    progress.bytes(done, info.size()); // after every read: a slow network still notices a cancel
                }
                if (buffer.position() > 0) {
                    out.write(buffer.flip());
                }
            }
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
        out.close();
    }

    /** Bytes already on disk that can be kept (same generation, not longer than the object); feeds them to the checksums. */
    private static long resumableBytes(ObjectInfo info, Path partial, Path generationFile, Checksums sums) throws IOException {
        if (!Files.exists(partial) || !Files.exists(generationFile)) {
            return 0;
        }
        String generation = Files.readString(generationFile, StandardCharsets.UTF_8).strip();
        long have = Files.size(partial);
        if (!generation.equals(Long.toString(info.generation())) || info.size() >= 0 && have > info.size()) {
            return 0;
        }
        try (InputStream existing = Files.newInputStream(partial)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = existing.read(buffer)) > 0) {
                sums.update(buffer, 0, n);
            }
        }
        return have;
    }
}
