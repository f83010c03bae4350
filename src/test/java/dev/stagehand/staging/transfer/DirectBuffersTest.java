package dev.stagehand.staging.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectBuffersTest {
    static final int SIZE = 12345; // a size no download uses, so other tests' buffers do not mix in

    @Test
    void aBufferGivenBackIsTakenAgainClearedAndOnlyUpToTheBound() {
        ByteBuffer first = DirectBuffers.take(SIZE);
        assertTrue(first.isDirect());
        first.put((byte) 1).flip();
        DirectBuffers.give(first);
        ByteBuffer again = DirectBuffers.take(SIZE);
        assertSame(first, again, "reused, not allocated");
        assertEquals(0, again.position());
        assertEquals(SIZE, again.limit());

        List<ByteBuffer> many = new ArrayList<>();
        for (long bytes = 0; bytes < (80L << 20); bytes += SIZE) {
            many.add(DirectBuffers.take(SIZE));
        }
        many.forEach(DirectBuffers::give);
        Set<ByteBuffer> given = Collections.newSetFromMap(new IdentityHashMap<>()); // ByteBuffer.equals compares contents
        given.addAll(many);
        int reused = 0;
        for (int i = 0; i < many.size(); i++) {
            if (given.contains(DirectBuffers.take(SIZE))) {
                reused++;
            }
        }
        assertTrue(reused > 0);
        assertTrue(reused * (long) SIZE <= 64L << 20, "kept at most 64 MiB: " + reused * (long) SIZE);
        assertNotSame(first, DirectBuffers.take(1 << 10), "another size is another buffer");
    }
}
