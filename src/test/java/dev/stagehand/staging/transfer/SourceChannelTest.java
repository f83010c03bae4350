package dev.stagehand.staging.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.testing.TestArchives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The resume rule on its own, against a source whose connections break: the GCS client retries
 * some drops itself, so the end-to-end tests cannot say whether ours ran.
 */
class SourceChannelTest {
    private static final int SIZE = 300_000;
    private final byte[] data = TestArchives.random(SIZE, 11);
    private final ObjectInfo info = new ObjectInfo("payload.bin", SIZE, null, null, 1);

    @Test
    void aBrokenConnectionReopensAtTheCountedPositionAndDropsThePartialRead() throws IOException {
        BreakingSource source = new BreakingSource(3);
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        try (SourceChannel in = new SourceChannel(source, info, 0)) {
            while (in.read(all) >= 0 && all.hasRemaining()) {
                // fill until the object ends
            }
        }
        assertArrayEquals(data, all.array(), "every byte once, in order, despite three broken connections");
        assertEquals(4, source.opens.size());
        for (int i = 1; i < source.opens.size(); i++) {
            assertTrue(source.opens.get(i) > source.opens.get(i - 1), "each reopen continues further on: " + source.opens);
        }
    }

    @Test
    void aSourceThatKeepsBreakingFailsAsRetryableAfterAFewReopens() {
        BreakingSource source = new BreakingSource(Integer.MAX_VALUE);
        SourceChannel in = new SourceChannel(source, info, 0);
        IOException e = assertThrows(SourceChannel.SourceException.class, () -> readAll(in, ByteBuffer.allocate(SIZE)));
        assertTrue(e.getMessage().contains("payload.bin"), e.getMessage());
        assertEquals(6, source.opens.size(), "the first open and five reopens");
    }

    /**
     * Serves {@code data}; each of its first {@code breaks} connections delivers 50,000 bytes,
     * then puts 1,000 more into the caller's buffer and fails in that same read.
     */
    private final class BreakingSource implements ArchiveSource {
        final List<Long> opens = new ArrayList<>();
        int breaksLeft;

        BreakingSource(int breaks) {
            this.breaksLeft = breaks;
        }

        @Override
        public ReadableByteChannel open(ObjectInfo object, long offset, long length) {
            opens.add(offset);
            boolean breaks = breaksLeft-- > 0;
            return new ReadableByteChannel() {
                long position = offset;
                long sent;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    if (position >= SIZE) {
                        return -1;
                    }
                    int n = (int) Math.min(Math.min(dst.remaining(), 8192), SIZE - position);
                    if (breaks && sent + n > 50_000) {
                        dst.put(data, (int) position, Math.min(n, 1000));
                        throw new IOException("connection reset");
                    }
                    dst.put(data, (int) position, n);
                    position += n;
                    sent += n;
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public List<String> list() {
            return List.of(info.name());
        }

        @Override
        public List<String> directories() {
            return List.of();
        }

        @Override
        public boolean exists() {
            return true;
        }

        @Override
        public Optional<ObjectInfo> stat(String name) {
            return Optional.of(info);
        }

        @Override
        public String describe() {
            return "test://breaking";
        }
    }

    private static void readAll(SourceChannel in, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining() && in.read(dst) >= 0) {
            // keep reading
        }
    }
}
