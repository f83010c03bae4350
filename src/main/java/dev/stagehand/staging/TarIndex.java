package dev.stagehand.staging;

import dev.stagehand.db.ArchiveIndexes.Member;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Where each regular file's bytes lie in a tar, for the member index the ledger keeps
 * ({@link dev.stagehand.db.ArchiveIndexes}). Links, directories and devices are not listed (a
 * member asked for is a regular file); a name that comes twice is the later one, as an unpacking
 * would leave it.
 */
final class TarIndex {
    /** Takes the bytes of the member looked for as the stream passes them (each time its name comes). */
    interface Sink {
        void member(InputStream bytes, long size) throws IOException, StagingFailure;
    }

    /** Hears of each entry read, with the tar bytes read so far: the archive's limits refuse one too large. */
    interface Limit {
        void entry(long tarBytes) throws StagingFailure;
    }

    private TarIndex() {}

    /** Reads every header of an uncompressed tar behind {@code channel} (which this closes) by range, not its members. */
    static Map<String, Member> scan(SeekableByteChannel channel, Limit limit) throws IOException, StagingFailure {
        Map<String, Member> members = new HashMap<>();
        try (TarFile tar = new TarFile(channel)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                limit.entry(0); // read by range: only the headers
                add(members, entry, entry.getDataOffset());
            }
        }
        return members;
    }

    /**
     * Reads a tar stream (decompressed) to its end, counting where each member's bytes start in
     * it, and hands the bytes of {@code wanted} to {@code sink} on the way: one pass both indexes
     * the archive and extracts the member.
     */
    static Map<String, Member> scan(InputStream tarBytes, String wanted, Sink sink, Limit limit) throws IOException, StagingFailure {
        Map<String, Member> members = new HashMap<>();
        // The tar stream reads whole 512-byte records and nothing ahead: after a header, the count is where the data starts.
        BoundedInputStream counted = BoundedInputStream.builder().setInputStream(tarBytes).get();
        TarArchiveInputStream tar = new TarArchiveInputStream(counted);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            limit.entry(counted.getCount());
            add(members, entry, counted.getCount());
            if (entry.getName().equals(wanted) && members.containsKey(wanted)) {
                sink.member(tar, entry.getSize());
            }
        }
        return members;
    }

    /** A tar entry's isFile() is also true of symlinks and devices: a member asked for must be none of them. */
    static boolean isRegularFile(TarArchiveEntry e) {
        return e.isFile() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO()
                && !e.isSparse();
    }

    private static void add(Map<String, Member> members, TarArchiveEntry entry, long offset) {
        if (isRegularFile(entry)) {
            members.put(entry.getName(), new Member(offset, entry.getSize()));
        } else {
            members.remove(entry.getName());
        }
    }
}
