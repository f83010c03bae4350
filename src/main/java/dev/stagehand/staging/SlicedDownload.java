package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * A large object fetched as ranged slices over several connections at once, each written in
 * place into the preallocated partial file. Each slice resumes inside itself when its connection
 * drops ({@link SourceChannel}); a sidecar ({@code .slices}, tied to the object's generation)
 * records how far each slice got, so a restart after a crash fetches only what is missing. The
 * whole object is verified before it counts: its CRC32C from the slices' CRCs, or its MD5 read
 * back from disk when the archive gives only that.
 */
final class SlicedDownload {
    private static final int BUFFER = 1 << 20;
    private static final long SIDECAR_EVERY_MS = 1000;
    private static final long REPORT_EVERY_MS = 200;

    /** One slice: bytes [start, end), of which {@code done} are on disk, and their CRC32C once all are. */
    private static final class Slice {
        final long start;
        final long end;
        final AtomicLong done;
        volatile int crc;

        Slice(long start, long end, long done) {
            this.start = start;
            this.end = end;
            this.done = new AtomicLong(done);
        }

        long length() {
            return end - start;
        }
    }

    private final ArchiveSource source;
    private final ObjectInfo info;
    private final Path partial;
    private final Path sidecar;
    private final int streams;
    private volatile boolean stop;

    private SlicedDownload(ArchiveSource source, ObjectInfo info, Path partial, int streams) {
        this.source = source;
        this.info = info;
        this.partial = partial;
        this.sidecar = partial.resolveSibling(partial.getFileName() + ".slices");
        this.streams = streams;
    }

    /**
     * Fetches {@code info} into {@code partial}; {@code landed} hears how many bytes from the start
     * are on disk without a gap (for readers of a file still landing).
     */
    static void fetch(ArchiveSource source, ObjectInfo info, Path partial, int streams, Progress progress, LongConsumer landed)
            throws IOException {
        new SlicedDownload(source, info, partial, streams).run(progress, landed);
    }

    private void run(Progress progress, LongConsumer landed) throws IOException {
        List<Slice> slices = resumeOrStart();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(streams, slices.size()), r -> {
            Thread t = new Thread(r, "slice-" + info.name());
            t.setDaemon(true);
            return t;
        });
        try (FileChannel file = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<Future<?>> running = new ArrayList<>();
            for (Slice slice : slices) {
                running.add(pool.submit(() -> {
                    fetchSlice(slice, file);
                    return null;
                }));
            }
            await(running, slices, progress, landed);
        } finally {
            stop = true;
            pool.shutdown();
            awaitQuietly(pool);
        }
        verify(slices);
        Files.deleteIfExists(sidecar);
    }

    /** Watches the slices until all are done: progress, the landed prefix, the sidecar; the first failure stops all. */
    private void await(List<Future<?>> running, List<Slice> slices, Progress progress, LongConsumer landed) throws IOException {
        long lastSidecar = System.currentTimeMillis();
        for (Future<?> slice : running) {
            while (true) {
                try {
                    slice.get(REPORT_EVERY_MS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException notYet) {
                    progress.bytes(slices.stream().mapToLong(s -> s.done.get()).sum(), info.size()); // may throw: stop
                    landed.accept(contiguous(slices));
                    if (System.currentTimeMillis() - lastSidecar > SIDECAR_EVERY_MS) {
                        writeSidecar(slices);
                        lastSidecar = System.currentTimeMillis();
                    }
                } catch (ExecutionException failed) {
                    stop = true;
                    writeSidecar(slices); // keep what the other slices got
                    Throwable cause = failed.getCause();
                    throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while downloading " + info.name());
                } catch (RuntimeException stopped) {
                    stop = true;
                    writeSidecar(slices);
                    throw stopped;
                }
            }
        }
        progress.bytes(info.size(), info.size());
        landed.accept(info.size());
    }

    /** One slice from where it got to, into its place in the file; its CRC over all its bytes at the end. */
    private void fetchSlice(Slice slice, FileChannel file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        long position = slice.start;
        long kept = slice.start + slice.done.get();
        while (position < kept) { // bytes a previous attempt left: checksummed from disk
            buffer.clear().limit((int) Math.min(BUFFER, kept - position));
            int n = file.read(buffer, position);
            if (n < 0) {
                throw new IOException("partial file shorter than its sidecar says");
            }
            crc.update(buffer.flip());
            position += n;
        }
        try (SourceChannel in = new SourceChannel(source, info, position, slice.end)) {
            while (position < slice.end && !stop) {
                buffer.clear().limit((int) Math.min(BUFFER, slice.end - position));
                if (in.read(buffer) < 0) {
                    throw new IOException("slice of " + info.name() + " ended early at byte " + position);
                }
                buffer.flip();
                crc.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    position += file.write(buffer, position);
                }
                slice.done.set(position - slice.start);
            }
        }
        slice.crc = (int) crc.getValue();
    }

    /** Slices from the sidecar when it describes this very object and file; otherwise a fresh, preallocated file. */
    private List<Slice> resumeOrStart() throws IOException {
        Files.createDirectories(partial.getParent());
        if (Files.exists(sidecar) && Files.exists(partial) && Files.size(partial) == info.size()) {
            List<String> lines = Files.readAllLines(sidecar, StandardCharsets.UTF_8);
            if (lines.size() > 1 && lines.get(0).equals(header())) {
                List<Slice> slices = new ArrayList<>();
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(" ");
                    slices.add(new Slice(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
                return slices;
            }
        }
        Files.deleteIfExists(partial);
        try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
            file.setLength(info.size()); // sparse: each slice writes its own range
        }
        List<Slice> slices = new ArrayList<>();
        long sliceSize = (info.size() + streams - 1) / streams;
        for (long start = 0; start < info.size(); start += sliceSize) {
            slices.add(new Slice(start, Math.min(info.size(), start + sliceSize), 0));
        }
        writeSidecar(slices);
        return slices;
    }

    private String header() {
        return "generation " + info.generation() + " size " + info.size();
    }

    /** Written after the bytes it counts, and atomically, so it never claims more than the file holds. */
    private void writeSidecar(List<Slice> slices) throws IOException {
        StringBuilder text = new StringBuilder(header()).append('\n');
        for (Slice s : slices) {
            text.append(s.start).append(' ').append(s.end).append(' ').append(s.done.get()).append('\n');
        }
        Path tmp = sidecar.resolveSibling(sidecar.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Bytes from the start with no gap: up to the first slice that is not done. */
    private static long contiguous(List<Slice> slices) {
        for (Slice s : slices) {
            if (s.done.get() < s.length()) {
                return s.start + s.done.get();
            }
        }
        return slices.isEmpty() ? 0 : slices.get(slices.size() - 1).end;
    }

    /** The whole object's checksum; a mismatch discards the file (the next attempt starts over). */
    private void verify(List<Slice> slices) throws IOException {
        try {
            if (info.crc32cBase64() != null) {
                int crc = 0;
                for (Slice s : slices) {
                    crc = Crc32c.combine(crc, s.crc, s.length());
                }
                Checksums.verifyCrc32c(info, crc);
            } else if (info.md5Base64() != null) {
                Checksums sums = new Checksums(info);
                try (FileChannel file = FileChannel.open(partial, StandardOpenOption.READ)) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                    while (file.read(buffer.clear()) > 0) {
                        sums.update(buffer.flip());
                    }
                }
                sums.verify(info);
            }
        } catch (Checksums.ChecksumMismatch e) {
            Download.discard(partial);
            Files.deleteIfExists(sidecar);
            throw e;
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
