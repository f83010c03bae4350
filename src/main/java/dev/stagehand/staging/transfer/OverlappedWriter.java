package dev.stagehand.staging.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Writes filled buffers to a file on its own thread, so the network read of the next buffer
 * overlaps the disk write of the previous one (a plain read-then-write loop waits for each in
 * turn). Memory stays bounded: a fixed set of buffers circulates between the two threads.
 * The buffers are direct, so the network read fills them and the file write takes them with no
 * copy in between (a heap buffer is copied to a native one on every channel write). Each buffer
 * is shown to {@code inspect} (the checksums) on the writer thread just before it is written:
 * that takes the work off the thread draining the socket, and the checksum sees exactly the
 * bytes written. The writer thread is never interrupted: an interrupt during a channel write
 * closes the file.
 */
public final class OverlappedWriter implements AutoCloseable {
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final FileChannel out;
    private final Consumer<ByteBuffer> inspect;
    private final LongConsumer written;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<ByteBuffer> filled;
    private final Thread thread;
    private volatile IOException failure;
    private volatile boolean aborted;

    /** {@code written} hears the file's length after each buffer is on disk. */
    OverlappedWriter(FileChannel out, int buffers, int bufferSize, String name, Consumer<ByteBuffer> inspect, LongConsumer written) {
        this.out = out;
        this.inspect = inspect;
        this.written = written;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(DirectBuffers.take(bufferSize));
        }
        thread = new Thread(this::writeLoop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** An empty (cleared) buffer to fill; waits while every buffer is queued for writing. */
    ByteBuffer buffer() throws IOException {
        ByteBuffer buffer;
        try {
            while ((buffer = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS)) == null) {
                checkFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the disk");
        }
        checkFailure();
        return buffer.clear();
    }

    /** Queues a buffer from {@link #buffer()} for writing: its bytes from position to limit. */
    void write(ByteBuffer buffer) throws IOException {
        checkFailure();
        put(buffer);
    }

    /** Waits for every queued write, closes the file, and reports a write error. */
    @Override
    public void close() throws IOException {
        if (thread.isAlive()) {
            put(END);
            joinWriter();
        }
        recycle();
        checkFailure();
    }

    /** On a failed download: drops what is queued, stops the writer, closes the file. */
    void abort() {
        aborted = true;
        filled.clear();
        filled.offer(END);
        joinWriter();
        recycle();
    }

    /** The buffers back for the next download, once the writer has ended (those dropped on an abort go to the GC). */
    private void recycle() {
        for (ByteBuffer buffer; (buffer = free.poll()) != null; ) {
            DirectBuffers.give(buffer);
        }
    }

    private void writeLoop() {
        try (out) {
            for (ByteBuffer bytes = filled.take(); bytes != END && !aborted; bytes = filled.take()) {
                inspect.accept(bytes.duplicate());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                written.accept(out.position());
                free.add(bytes);
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) { // e.g. NonWritableChannelException: the waiting reader must hear of it too
            failure = new IOException(e.toString(), e);
        } catch (InterruptedException e) {
            failure = new java.io.InterruptedIOException("writer interrupted");
        }
    }

    private void put(ByteBuffer chunk) throws IOException {
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
