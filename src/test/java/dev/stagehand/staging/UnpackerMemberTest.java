package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.staging.transfer.Progress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member read on its own is written whole or not at all: fewer bytes than its size is a corrupt archive. */
class UnpackerMemberTest {
    @TempDir Path work;

    private Unpacker unpacker() {
        return new Unpacker(work, Progress.NONE, Unpacker.MemberLanding.NONE, new ArchiveLimits(100, 0, 1L << 30), total -> {})
                .reading("tests.tar.gz", 1000);
    }

    @Test
    void aMemberOfItsSizeIsWritten() throws Exception {
        Unpacker u = unpacker();
        u.member(new ByteArrayInputStream(new byte[] {1, 2, 3}), "m", "out/m", 3);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(work.resolve("out/m")));
        assertTrue(u.written().contains("out/m"));
    }

    @Test
    void aShortMemberIsRefused() {
        Unpacker u = unpacker();
        IOException e = assertThrows(IOException.class, () -> u.member(new ByteArrayInputStream(new byte[] {1, 2}), "m", "out/m", 3));
        assertTrue(e.getMessage().contains("ended after 2 of its 3 bytes"), e.getMessage());
    }
}
