package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Bytes {@code [start, end)} of an object, read in order by one consumer (a tar extractor, a zip
 * member's inflater) while up to {@code streams} chunks ahead of it are fetched in parallel, each
 * over its own connection ({@link SourceChannel}: a dropped connection resumes inside its chunk).
 * Memory is bounded: at most {@code streams} chunks are held or in flight, so {@code streams ×
 * CHUNK} bytes (8 × 4 MiB = 32 MiB) per reader.
 */
public final class ParallelRangeChannel implements ReadableByteChannel {
    static final int CHUNK = 4 << 20;

    private final ArchiveSource source;
    private final ObjectInfo info;
    private final long end;
    private final int streams;
    private final ExecutorService pool;
    private final Deque<CompletableFuture<ByteBuffer>> ahead = new ArrayDeque<>();
    private long nextChunk;
    private ByteBuffer current;
    private volatile boolean open = true;

    public ParallelRangeChannel(ArchiveSource source, ObjectInfo info, long start, long end, int streams) {
        this.source = source;
        this.info = info;
        this.end = end;
        this.streams = streams;
        this.nextChunk = start;
        this.pool = Executors.newFixedThreadPool(streams, r -> {
            Thread t = new Thread(r, "prefetch-" + info.name());
            t.setDaemon(true);
            return t;
        });
        fillWindow();
    }

    /** Keeps {@code streams} chunks fetched or on their way. */
    private void fillWindow() {
        while (ahead.size() < streams && nextChunk < end) {
            long from = nextChunk;
            long to = Math.min(end, from + CHUNK);
            ahead.add(CompletableFuture.supplyAsync(() -> fetch(from, to), pool));
            nextChunk = to;
        }
    }

    private ByteBuffer fetch(long from, long to) {
        ByteBuffer chunk = ByteBuffer.allocate((int) (to - from));
        try (SourceChannel in = new SourceChannel(source, info, from, to)) {
            while (chunk.hasRemaining() && open) {
                if (in.read(chunk) < 0) {
                    throw new SourceChannel.SourceException("range of " + info.name() + " ended early at byte "
                            + (from + chunk.position()), null);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return chunk.flip();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (ahead.isEmpty()) {
                return -1;
            }
            current = next();
            fillWindow();
        }
        int n = Math.min(dst.remaining(), current.remaining());
        dst.put(current.slice(current.position(), n));
        current.position(current.position() + n);
        return n;
    }

    private ByteBuffer next() throws IOException {
        try {
            return ahead.removeFirst().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + info.name());
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        ahead.forEach(f -> f.cancel(false));
        ahead.clear();
        pool.shutdown();
    }
}
