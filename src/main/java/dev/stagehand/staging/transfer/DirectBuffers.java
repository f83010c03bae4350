package dev.stagehand.staging.transfer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for downloads, kept for the next download. Direct memory is given back only when
 * the GC collects the buffer object, which a small, quiet heap seldom does: buffers allocated per
 * download piled up outside the heap between collections. At most {@link #KEPT_BYTES} are kept;
 * more go to the GC as before. A buffer is given back only by the thread that last used it, once
 * no other thread can touch it.
 */
public final class DirectBuffers {
    private static final long KEPT_BYTES = 64L << 20;
    private static final Map<Integer, Queue<ByteBuffer>> FREE = new ConcurrentHashMap<>();
    private static final AtomicLong KEPT = new AtomicLong();

    private DirectBuffers() {}

    /** A cleared direct buffer of {@code size} bytes. */
    static ByteBuffer take(int size) {
        Queue<ByteBuffer> free = FREE.get(size);
        ByteBuffer buffer = free == null ? null : free.poll();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(size);
        }
        KEPT.addAndGet(-size);
        return buffer.clear();
    }

    static void give(ByteBuffer buffer) {
        if (KEPT.addAndGet(buffer.capacity()) > KEPT_BYTES) {
            KEPT.addAndGet(-buffer.capacity());
            return;
        }
        FREE.computeIfAbsent(buffer.capacity(), size -> new ConcurrentLinkedQueue<>()).offer(buffer);
    }
}
