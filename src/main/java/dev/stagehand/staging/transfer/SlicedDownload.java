package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.common.Sizes;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A large object fetched as ranged slices over several connections at once, each written in
 * place into the preallocated partial file. Unless told to slice at once, it starts as one slice
 * over the whole object and splits what is left among the streams only when that first stream
 * turns out slow ({@link DownloadSettings#fastStreamBytesPerSecond}). Each slice resumes inside itself when its connection
 * drops ({@link SourceChannel}); a sidecar ({@code .slices}, tied to the object's generation)
 * records how far each slice got, so a restart after a crash fetches only what is missing. The
 * whole object is verified before it counts: its CRC32C from the slices' CRCs, or its MD5 read
 * back from disk when the archive gives only that.
 */
public final class SlicedDownload {
    private static final Logger log = LoggerFactory.getLogger(SlicedDownload.class);
    private static final int BUFFER = 1 << 20;
    private static final long SIDECAR_EVERY_MS = 1000;
    /** How often the landed prefix is told to readers: a reader waiting for the first bytes gets them this soon. */
    private static final long REPORT_EVERY_MS = 20;
    /** How long the first stream runs alone before its rate decides whether to split. */
    private static final long PROBE_MS = 300;

    /**
     * One slice: bytes [start, end), of which {@code done} are on disk, and their CRC32C once all
     * are. Its end only moves down, when the slice is split ({@link #cutAt}); the fetching thread
     * claims each read's bytes under the same lock, so it never writes past a cut.
     */
    private static final class Slice {
        final long start;
        private long end;
        private long claimed;
        final AtomicLong done;
        volatile int crc;

        Slice(long start, long end, long done) {
            this.start = start;
            this.end = end;
            this.claimed = start + done;
            this.done = new AtomicLong(done);
        }

        synchronized long end() {
            return end;
        }

        long length() {
            return end() - start;
        }

        /** How many bytes the next read at {@code position} may bring (0: the slice is complete). */
        synchronized int claim(long position, int most) {
            int n = (int) Math.max(0, Math.min(most, end - position));
            claimed = position + n;
            return n;
        }

        /** Ends the slice as soon as its read in flight is done; the bytes after that, or -1 when none are left. */
        synchronized long cutAt() {
            long cut = Math.max(claimed, start + done.get());
            if (cut >= end) {
                return -1;
            }
            long rest = end;
            end = cut;
            return rest;
        }
    }

    private final ArchiveSource source;
    private final ObjectInfo info;
    private final Path partial;
    private final Path sidecar;
    private final DownloadSettings settings;
    private final List<Slice> slices = new ArrayList<>(); // in order of start; only the coordinating thread changes it
    private final List<Future<?>> running = new ArrayList<>();
    private ExecutorService pool;
    private FileChannel file;
    private volatile boolean stop;
    /** Hears how many bytes from the start are on disk (readers of a file still landing). */
    private volatile LongConsumer landedPrefix = bytes -> {};

    private SlicedDownload(ArchiveSource source, ObjectInfo info, Path partial, DownloadSettings settings) {
        this.source = source;
        this.info = info;
        this.partial = partial;
        this.sidecar = PartialFile.slices(partial);
        this.settings = settings;
    }

    /**
     * Fetches {@code info} into {@code partial}; {@code landed} hears how many bytes from the start
     * are on disk without a gap (for readers of a file still landing).
     */
    static void fetch(ArchiveSource source, ObjectInfo info, Path partial, DownloadSettings settings, Progress progress,
            LongConsumer landed) throws IOException {
        new SlicedDownload(source, info, partial, settings).run(progress, landed);
    }

    private void run(Progress progress, LongConsumer landed) throws IOException {
        this.landedPrefix = landed;
        boolean probing = resumeOrStart();
        pool = Executors.newFixedThreadPool(settings.streams(), r -> {
            Thread t = new Thread(r, "slice-" + info.name());
            t.setDaemon(true);
            return t;
        });
        try (FileChannel opened = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            file = opened;
            slices.forEach(this::submit);
            await(progress, landed, probing ? System.nanoTime() : -1);
        } finally {
            stop = true;
            pool.shutdown();
            awaitQuietly(pool);
        }
        verify();
        Files.deleteIfExists(sidecar);
    }

    private void submit(Slice slice) {
        running.add(pool.submit(() -> {
            fetchSlice(slice);
            return null;
        }));
    }

    /**
     * Watches the slices until all are done: progress, the landed prefix, the sidecar, and the
     * probe's split decision ({@code probeStarted} -1: none). The first slice to fail, whichever
     * it is, or a cancel stops all, with the sidecar brought up to date first.
     */
    private void await(Progress progress, LongConsumer landed, long probeStarted) throws IOException {
        long lastSidecar = System.currentTimeMillis();
        long doneBeforeProbe = slices.get(0).done.get(); // a resumed stream is judged by what it brings now
        try {
            for (Future<?> unfinished; (unfinished = firstUnfinished()) != null; ) {
                try {
                    unfinished.get(REPORT_EVERY_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException notYetOrFailed) {
                    // a failure is thrown by firstUnfinished, in its turn with the others
                }
                progress.bytes(slices.stream().mapToLong(s -> s.done.get()).sum(), info.size()); // may throw: stop
                landed.accept(contiguous());
                if (probeStarted >= 0 && System.nanoTime() - probeStarted >= PROBE_MS * 1_000_000) {
                    splitWhenSlow(System.nanoTime() - probeStarted, doneBeforeProbe);
                    probeStarted = -1;
                }
                if (System.currentTimeMillis() - lastSidecar > SIDECAR_EVERY_MS) {
                    writeSidecar();
                    lastSidecar = System.currentTimeMillis();
                }
            }
        } catch (ExecutionException failed) {
            stop = true;
            writeSidecar(); // keep what the other slices got
            Throwable cause = failed.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while downloading " + info.name());
        } catch (RuntimeException stopped) {
            stop = true;
            writeSidecar();
            throw stopped;
        }
        progress.bytes(info.size(), info.size());
        landed.accept(info.size());
    }

    /** The first slice still running, or null when all are done; throws the failure of any slice that failed. */
    private Future<?> firstUnfinished() throws ExecutionException, InterruptedException {
        Future<?> unfinished = null;
        for (Future<?> slice : running) { // grows when the probe splits
            if (slice.isDone()) {
                slice.get();
            } else if (unfinished == null) {
                unfinished = slice;
            }
        }
        return unfinished;
    }

    /**
     * After the probe: when the one stream brought less than a fast stream would, it stops where
     * its current read ends and the rest is shared among all streams. Written to the sidecar at
     * once, so a restart resumes the new slices.
     */
    private void splitWhenSlow(long elapsedNanos, long doneBefore) throws IOException {
        Slice first = slices.get(0);
        long rate = (long) ((first.done.get() - doneBefore) * 1e9 / Math.max(1, elapsedNanos));
        if (rate >= settings.fastStreamBytesPerSecond()) {
            return;
        }
        long rest = first.cutAt();
        if (rest < 0) {
            return;
        }
        long from = first.end();
        List<Slice> added = evenSlices(from, rest, settings.streams());
        log.info("{}: one stream brought {}/s, below the fast rate: the {} after byte {} go over {} connections", info.name(),
                Sizes.of(rate), Sizes.of(rest - from), from, added.size());
        slices.addAll(added);
        writeSidecar();
        added.forEach(this::submit);
    }

    /** One slice from where it got to, into its place in the file; its CRC over all its bytes at the end. */
    private void fetchSlice(Slice slice) throws IOException {
        ByteBuffer buffer = DirectBuffers.take(BUFFER);
        try {
            fetchSlice(slice, buffer);
        } finally {
            DirectBuffers.give(buffer);
        }
    }

    private void fetchSlice(Slice slice, ByteBuffer buffer) throws IOException {
        CRC32C crc = new CRC32C();
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
        if (slice.end() < info.size()) {
            pullSlice(slice, buffer, crc, position);
        } else {
            pushSlice(slice, buffer, crc, position);
        }
        slice.crc = (int) crc.getValue();
    }

    /** A slice with an end short of the object's: a bounded Range, pulled (a pushed stream would run on past the end). */
    private void pullSlice(Slice slice, ByteBuffer buffer, CRC32C crc, long from) throws IOException {
        long position = from;
        try (SourceChannel in = new SourceChannel(source, info, position, slice.end())) {
            int want;
            while (!stop && (want = slice.claim(position, BUFFER)) > 0) {
                buffer.clear().limit(want);
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
    }

    /**
     * A slice to the object's end (the one stream of a fast store, or the last slice): pushed by
     * the source's fastest path; should it be cut meanwhile, what was in flight past the cut is
     * dropped when the transfer stops.
     */
    private void pushSlice(Slice slice, ByteBuffer buffer, CRC32C crc, long from) throws IOException {
        SliceSink sink = new SliceSink(slice, buffer, crc, from);
        for (int reopens = 0; ; reopens++) {
            try {
                if (!stop && slice.claim(sink.position, BUFFER) > 0) {
                    source.copyTo(info, sink.position, sink); // pushed: the source's fastest path
                }
                sink.flush();
                if (!stop && sink.position < slice.end()) {
                    throw new IOException("slice of " + info.name() + " ended early at byte " + sink.position);
                }
                break;
            } catch (SliceSink.Enough enough) {
                sink.flush();
                break; // the slice has its bytes (or was cut, or everything stops)
            } catch (IOException | RuntimeException e) { // a dropped connection: go on from the bytes kept
                sink.flush();
                if (e instanceof ArchiveError archive && archive.permanent()) {
                    throw archive;
                }
                if (reopens >= SourceChannel.MAX_REOPENS) {
                    throw new SourceChannel.SourceException("reading " + info.name() + " from " + source.describe()
                            + " failed at byte " + sink.position + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Where a slice's bytes are pushed: gathered in its buffer and written in place a megabyte at
     * a time (sooner for the first bytes a reader may be waiting for), never past the slice's end,
     * which a split may move down while it runs; {@link Enough} ends the transfer there.
     */
    private final class SliceSink extends java.io.OutputStream {
        /** The slice has all its bytes: the source stops sending. */
        static final class Enough extends dev.stagehand.archive.SinkStopped {
            Enough() {
                super("slice complete");
            }
        }

        private static final long FLUSH_AFTER_NANOS = REPORT_EVERY_MS * 1_000_000;
        private final Slice slice;
        private final ByteBuffer buffer;
        private final CRC32C crc;
        /** The file position the next byte goes to (after what the buffer holds). */
        long position;
        private long flushedAt; // 0: the first bytes are written at once, a reader may be waiting for them

        SliceSink(Slice slice, ByteBuffer buffer, CRC32C crc, long position) {
            this.slice = slice;
            this.buffer = buffer.clear();
            this.crc = crc;
            this.position = position;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (stop) {
                    throw new Enough();
                }
                int room = Math.min(len, buffer.remaining());
                int allowed = slice.claim(position + buffer.position(), room);
                if (allowed <= 0) {
                    throw new Enough();
                }
                buffer.put(b, off, allowed);
                off += allowed;
                len -= allowed;
                if (!buffer.hasRemaining() || System.nanoTime() - flushedAt > FLUSH_AFTER_NANOS) {
                    flush();
                }
            }
        }

        /** The buffered bytes into their place in the file, checksummed, and counted done. */
        @Override
        public void flush() throws IOException {
            if (buffer.position() == 0) {
                return;
            }
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                position += file.write(buffer, position);
            }
            buffer.clear();
            slice.done.set(position - slice.start);
            flushedAt = System.nanoTime();
            if (slice.start == 0) {
                landedPrefix.accept(position); // the first slice's bytes are the landed prefix: readers hear at once
            }
        }
    }

    /**
     * Slices from the sidecar when it describes this very object and file; otherwise a fresh,
     * preallocated file cut into slices, or one slice to probe with. True when probing.
     */
    private boolean resumeOrStart() throws IOException {
        Files.createDirectories(partial.getParent());
        if (Files.exists(sidecar) && Files.exists(partial) && Files.size(partial) == info.size()) {
            List<String> lines = Files.readAllLines(sidecar, StandardCharsets.UTF_8);
            if (lines.size() > 1 && lines.get(0).equals(header())) {
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(" ");
                    slices.add(new Slice(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
                // killed while probing: the one stream resumes and is judged again
                return slices.size() == 1 && settings.probesFirst();
            }
        }
        Files.deleteIfExists(partial);
        try (RandomAccessFile fresh = new RandomAccessFile(partial.toFile(), "rw")) {
            fresh.setLength(info.size()); // sparse: each slice writes its own range
        }
        boolean probing = settings.probesFirst();
        slices.addAll(evenSlices(0, info.size(), probing ? 1 : settings.streams()));
        writeSidecar();
        return probing;
    }

    private static List<Slice> evenSlices(long from, long to, int count) {
        List<Slice> even = new ArrayList<>();
        long size = Math.max(1, (to - from + count - 1) / count);
        for (long start = from; start < to; start += size) {
            even.add(new Slice(start, Math.min(to, start + size), 0));
        }
        return even;
    }

    private String header() {
        return "generation " + info.generation() + " size " + info.size();
    }

    /** Written after the bytes it counts, and atomically, so it never claims more than the file holds. */
    private void writeSidecar() throws IOException {
        StringBuilder text = new StringBuilder(header()).append('\n');
        for (Slice s : slices) {
            text.append(s.start).append(' ').append(s.end()).append(' ').append(s.done.get()).append('\n');
        }
        Path tmp = sidecar.resolveSibling(sidecar.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Bytes from the start with no gap: up to the first slice that is not done. */
    private long contiguous() {
        for (Slice s : slices) {
            if (s.done.get() < s.length()) {
                return s.start + s.done.get();
            }
        }
        return slices.isEmpty() ? 0 : slices.get(slices.size() - 1).end();
    }

    /** The whole object's checksum; a mismatch discards the file (the next attempt starts over). */
    private void verify() throws IOException {
        try {
            if (info.crc32cBase64() != null) {
                int crc = 0;
                for (Slice s : slices) {
                    crc = Crc32c.combine(crc, s.crc, s.length());
                }
                Checksums.verifyCrc32c(info, crc);
            } else if (info.md5Base64() != null) {
                Checksums sums = new Checksums(info);
                ByteBuffer buffer = DirectBuffers.take(BUFFER);
                try (FileChannel written = FileChannel.open(partial, StandardOpenOption.READ)) {
                    while (written.read(buffer.clear()) > 0) {
                        sums.update(buffer.flip());
                    }
                } finally {
                    DirectBuffers.give(buffer);
                }
                sums.verify(info);
            }
        } catch (Checksums.ChecksumMismatch e) {
            PartialFile.discard(partial);
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
