package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.stagehand.db.ArchiveIndexes.Member;
import dev.stagehand.testing.TestArchives;
import dev.stagehand.testing.TestArchives.Compression;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;

/** A tar's member index, read by range from its headers or counted along its stream: the same places, the later name winning. */
class TarIndexTest {
    private static final TarIndex.Limit NO_LIMIT = tarBytes -> {};
    private static final String LONG = "very/" + "long-directory-name/".repeat(12) + "member.bin"; // past ustar's 100 bytes: a PAX header

    private static byte[] tar() throws Exception {
        return TestArchives.tar().file("a.txt", "first").directory("d").file(LONG, random(70_000, 1))
                .symlink("link", "a.txt").file("twice", "old").file("b.bin", random(1_000, 2)).file("twice", "newer bytes")
                .file("then-a-link", "x").symlink("then-a-link", "a.txt").build(Compression.NONE);
    }

    @Test
    void theStreamsCountedPlacesAreTheHeadersPlaces() throws Exception {
        byte[] tar = tar();
        Map<String, Member> byRange = TarIndex.scan(new SeekableInMemoryByteChannel(tar), NO_LIMIT);
        Map<String, Member> byStream = TarIndex.scan(new ByteArrayInputStream(tar), "none", (bytes, size) -> {}, NO_LIMIT);
        assertEquals(byRange, byStream);
        assertEquals(java.util.Set.of("a.txt", LONG, "twice", "b.bin"), byRange.keySet(), "regular files only; a name a link took is gone");
        Member twice = byRange.get("twice");
        assertEquals("newer bytes", new String(tar, (int) twice.offset(), (int) twice.size()), "the later member of a name");
        Member big = byRange.get(LONG);
        assertArrayEquals(random(70_000, 1), Arrays.copyOfRange(tar, (int) big.offset(), (int) (big.offset() + big.size())));
    }

    /** Every entry read counts, and the bytes read so far: the archive's limits refuse an index too large to read. */
    @Test
    void theLimitHearsOfEveryEntryAndTheBytesReadSoFar() throws Exception {
        List<Long> heard = new ArrayList<>();
        TarIndex.scan(new ByteArrayInputStream(tar()), "none", (b, s) -> {}, heard::add);
        assertEquals(9, heard.size(), "every entry, links and directories too");
        assertEquals(heard.stream().sorted().toList(), heard, "bytes read so far, growing");
        StagingFailure refused = org.junit.jupiter.api.Assertions.assertThrows(StagingFailure.class,
                () -> TarIndex.scan(new ByteArrayInputStream(tar()), "none", (b, s) -> {}, bytes -> {
                    if (bytes > 60_000) {
                        throw StagingFailure.permanent("too large");
                    }
                }));
        assertEquals("too large", refused.getMessage());
    }

    @Test
    void theStreamHandsEachCopyOfTheWantedMemberToTheSink() throws Exception {
        List<String> seen = new ArrayList<>();
        TarIndex.scan(new ByteArrayInputStream(tar()), "twice", (bytes, size) -> seen.add(new String(bytes.readNBytes((int) size))), NO_LIMIT);
        assertEquals(List.of("old", "newer bytes"), seen);
        List<String> none = new ArrayList<>();
        TarIndex.scan(new ByteArrayInputStream(tar()), "then-a-link", (bytes, size) -> none.add("written"), NO_LIMIT);
        assertEquals(List.of("written"), none, "written as a file first; the index, without it, refuses it after");
        assertFalse(TarIndex.scan(new ByteArrayInputStream(tar()), "x", (b, s) -> {}, NO_LIMIT).containsKey("then-a-link"));
    }
}
