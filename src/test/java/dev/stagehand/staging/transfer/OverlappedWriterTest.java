package dev.stagehand.staging.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.TestArchives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlappedWriterTest {
    @TempDir Path dir;

    @Test
    void writesAndInspectsEveryChunkInOrderWithFewerBuffersThanChunks() throws IOException {
        byte[] data = TestArchives.random(1_000_003, 7);
        Path file = dir.resolve("out.bin");
        CRC32C inspected = new CRC32C();
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        try (OverlappedWriter out = new OverlappedWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE), 2,
                4096, "test-writer", inspected::update, written::set)) {
            for (int at = 0; at < data.length; at += 4096) {
                ByteBuffer buffer = out.buffer();
                buffer.put(data, at, Math.min(buffer.remaining(), data.length - at)).flip();
                out.write(buffer);
            }
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        CRC32C expected = new CRC32C();
        expected.update(data);
        assertEquals(expected.getValue(), inspected.getValue(), "inspect saw every byte, in order");
        assertEquals(data.length, written.get(), "the last report is the whole file");
    }

    @Test
    void aFailedDiskWriteSurfacesToTheDownloadingThread() throws IOException {
        Path file = dir.resolve("read-only.bin");
        Files.write(file, new byte[0]);
        OverlappedWriter out = new OverlappedWriter(FileChannel.open(file, StandardOpenOption.READ), 2, 4096, "test-writer", b -> {}, n -> {});
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10; i++) {
                out.write(out.buffer());
            }
            out.close();
        });
        assertTrue(e.getMessage().startsWith("writing the download failed"), e.getMessage());
    }

    @Test
    void abortStopsTheWriterAndClosesTheFile() throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("aborted.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        OverlappedWriter out = new OverlappedWriter(channel, 2, 4096, "test-writer", b -> {}, n -> {});
        out.write(out.buffer());
        out.abort();
        assertFalse(channel.isOpen());
    }
}
