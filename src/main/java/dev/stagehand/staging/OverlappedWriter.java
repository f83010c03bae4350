package dev.stagehand.staging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes filled buffers to a file on its own thread, so the network read of the next buffer
 * overlaps the disk write of the previous one (a plain read-then-write loop waits for each in
 * turn). Memory stays bounded: a fixed set of buffers circulates between the two threads.
 * A FileChannel rather than a FileOutputStream: the stream allocates a native buffer for every
 * large write, the channel reuses one per thread. The writer thread is never interrupted: an
 * interrupt during a channel write closes the file.
 */
final class OverlappedWriter implements AutoCloseable {
    private static final Chunk END = new Chunk(null, 0);

    private record Chunk(byte[] bytes, int length) {}

    private final FileChannel out;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> filled;
    private final Thread thread;
    private volatile IOException failure;
    private volatile boolean aborted;

    OverlappedWriter(FileChannel out, int buffers, int bufferSize, String name) {
        this.out = out;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[bufferSize]);
        }
        thread = new Thread(this::writeLoop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** An empty buffer to fill; waits while every buffer is queued for writing. */
    byte[] buffer() throws IOException {
        byte[] buffer;
        try {
            while ((buffer = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS)) == null) {
                checkFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the disk");
        }
        checkFailure();
        return buffer;
    }

    /** Queues the first {@code length} bytes of a buffer from {@link #buffer()} for writing. */
    void write(byte[] buffer, int length) throws IOException {
        checkFailure();
        put(new Chunk(buffer, length));
    }

    /** Waits for every queued write, closes the file, and reports a write error. */
    @Override
    public void close() throws IOException {
        if (thread.isAlive()) {
            put(END);
            joinWriter();
        }
        checkFailure();
    }

    /** On a failed download: drops what is queued, stops the writer, closes the file. */
    void abort() {
        aborted = true;
        filled.clear();
        filled.offer(END);
        joinWriter();
    }

    private void writeLoop() {
        try (out) {
            for (Chunk chunk = filled.take(); chunk != END && !aborted; chunk = filled.take()) {
                ByteBuffer bytes = ByteBuffer.wrap(chunk.bytes(), 0, chunk.length());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                free.add(chunk.bytes());
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) { // e.g. NonWritableChannelException: the waiting reader must hear of it too
            failure = new IOException(e.toString(), e);
        } catch (InterruptedException e) {
            failure = new java.io.InterruptedIOException("writer interrupted");
        }
    }

    private void put(Chunk chunk) throws IOException {
        try {
            filled.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while queueing a write");
        }
    }

    private void joinWriter() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw new IOException("writing the download failed: " + failure.getMessage(), failure);
        }
    }
}
