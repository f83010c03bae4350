package dev.stagehand.staging;

import dev.stagehand.common.RealPaths;
import dev.stagehand.common.Sizes;
import dev.stagehand.staging.transfer.Checksums;
import dev.stagehand.staging.transfer.Download;
import dev.stagehand.staging.transfer.Progress;
import dev.stagehand.staging.transfer.RangedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Writes archive entries into a work directory that mirrors the build directory. Nothing an
 * archive says is trusted:
 * <ul>
 *   <li>names must be clean relative paths (no '/', '..', control characters: {@link SafePaths});
 *   <li>symlinks are created last, after every file, so no write can pass through one; a member
 *       that lies inside a link the archive made is refused, and each link's target must stay
 *       in the build however it is resolved ({@link SafePaths#checkLinkTarget});
 *   <li>the bytes actually written are counted, against the member and size limits
 *       ({@link ArchiveLimits}) and the disk's room ({@link Room}), before they are written.
 * </ul>
 * A later member of the same name replaces an earlier one, as GNU tar does. Returns the
 * build-relative paths it wrote; the caller installs them or throws them away.
 */
final class Unpacker {
    /** Unpacked bytes below this never count as a bomb, whatever the ratio (a small archive of text). */
    static final long RATIO_FLOOR = 64L << 20;

    private final Path work;
    private final Progress progress;
    /** What the unpacking will have written once the member being written is done, when its size is known (else null). */
    private Long expectedTotal;
    private final MemberLanding landing;
    private final ArchiveLimits limits;
    private final Room room;
    private final Set<String> written = new LinkedHashSet<>();
    /** Symlinks to create once every file is written: where, and their target. */
    private final Map<String, String> links = new LinkedHashMap<>();
    private final byte[] buffer = new byte[Download.BUFFER];
    private String archiveName = "";
    private long archiveSize;
    private long archiveBytes;
    private int members;
    private long bytes;

    /** Where a single member (an image) being written can be followed while it lands. */
    interface MemberLanding {
        MemberLanding NONE = (dest, file, size) -> bytes -> {};

        /** The member {@code dest} starts landing at {@code file}; returns where to report its bytes on disk. */
        LongConsumer begin(String dest, Path file, long size);
    }

    /** The disk's side: room for {@code total} unpacked bytes in all, reserved before they are written. */
    interface Room {
        void need(long total) throws IOException, StagingFailure;
    }

    Unpacker(Path work, Progress progress, MemberLanding landing, ArchiveLimits limits, Room room) {
        this.work = work;
        this.progress = progress;
        this.landing = landing;
        this.limits = limits;
        this.room = room;
    }

    /** Names the archive the next entries come from (for messages) and its size (for the expansion ratio). */
    Unpacker reading(String archive, long size) {
        this.archiveName = archive;
        this.archiveSize = Math.max(0, size);
        this.archiveBytes = 0;
        this.members = 0;
        return this;
    }

    /** The build-relative files and links written so far, in order. */
    List<String> written() {
        return List.copyOf(written);
    }

    /** Every entry the rule takes, from a tar stream. */
    void tar(TarArchiveInputStream tar, Rule rule) throws IOException, StagingFailure {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            countMember();
            if (!rule.takesEntry(entry.getName())) {
                continue;
            }
            String dest = rule.entryDestination(archiveName, entry.getName());
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw new HostileArchive(archiveName, entry.getName(), "is a device or FIFO");
            } else if (entry.isSymbolicLink()) {
                symlink(dest, entry.getLinkName(), entry.getName());
            } else if (entry.isLink()) {
                hardLink(rule.entryDestination(archiveName, entry.getLinkName()), dest, entry.getName());
            } else if (entry.isDirectory()) {
                directory(dest, entry.getName());
            } else {
                write(tar, dest, entry.getName(), null, bytes -> {});
            }
        }
    }

    /** A member of {@code size} bytes (negative: unknown) is written next: the progress has a total while it lands. */
    private void expecting(long size) {
        expectedTotal = size >= 0 ? bytes + size : null;
    }

    /** Every entry the rule takes from a zip, each checked against its CRC32. */
    void zip(ZipFile zip, Rule rule) throws IOException, StagingFailure {
        long taken = Collections.list(zip.getEntries()).stream().filter(e -> rule.takesEntry(e.getName()) && !e.isDirectory())
                .mapToLong(ZipArchiveEntry::getSize).reduce(0, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
        expecting(taken); // the directory gives every member's size
        for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
            countMember();
            if (!rule.takesEntry(entry.getName())) {
                continue;
            }
            String dest = rule.entryDestination(archiveName, entry.getName());
            if (entry.isUnixSymlink()) {
                throw new HostileArchive(archiveName, entry.getName(), "is a symlink (not allowed in zip archives)");
            } else if (entry.isDirectory()) {
                directory(dest, entry.getName());
            } else {
                try (InputStream in = zip.getInputStream(entry)) {
                    write(in, dest, entry.getName(), entry.getCrc(), bytes -> {});
                }
            }
        }
    }

    /** One named member of a zip; false if it has no such member. */
    boolean zipMember(ZipFile zip, RangedChannel channel, String member, String dest) throws IOException, StagingFailure {
        ZipArchiveEntry entry = zip.getEntry(member);
        if (entry == null || entry.isDirectory() || entry.isUnixSymlink()) {
            return false;
        }
        // Local header (30 bytes + name + extra field, rarely over 1 KiB) and data in one request.
        channel.expect(entry.getLocalHeaderOffset(), 30 + entry.getRawName().length + 1024 + entry.getCompressedSize());
        expecting(entry.getSize());
        try (InputStream in = zip.getInputStream(entry)) {
            write(in, dest, member, entry.getCrc(), landing.begin(dest, SafePaths.under(work, dest), entry.getSize()));
        }
        return true;
    }

    /** One named member of a tar stream (the first regular file of the name), to {@code dest}; false if it has none. */
    boolean tarMember(TarArchiveInputStream tar, String member, String dest) throws IOException, StagingFailure {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            countMember();
            if (entry.getName().equals(member) && TarIndex.isRegularFile(entry)) {
                member(tar, member, dest, entry.getSize());
                return true;
            }
        }
        return false;
    }

    /**
     * One member of {@code size} bytes read on its own (by range, or from an archive's index), to
     * {@code dest}; fewer bytes than its size is a corrupt archive, never a short member installed.
     * The caller counts it among the archive's entries ({@link #scanned}).
     */
    void member(InputStream in, String member, String dest, long size) throws IOException, StagingFailure {
        expecting(size);
        long written = write(in, dest, member, null, landing.begin(dest, SafePaths.under(work, dest), size));
        if (written != size) {
            throw new IOException(archiveName + "!" + member + " ended after " + written + " of its " + size + " bytes");
        }
    }

    /**
     * One more entry of an archive read for its index, {@code tarBytes} into its (decompressed)
     * tar: the archive's member and size limits hold for an index as for an unpacking.
     */
    void scanned(long tarBytes) throws StagingFailure {
        countMember();
        if (tarBytes > limits.maxUnpackedBytes()) {
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, archiveName + " unpacks to more than "
                    + Sizes.of(limits.maxUnpackedBytes()) + " (--max-unpacked-mb); nothing was installed");
        }
    }

    /** A whole decompressed object, to {@code dest}: within the limits like any member, followed by readers while it lands. */
    void decompressed(InputStream in, String dest) throws IOException, StagingFailure {
        countMember();
        write(in, dest, dest, null, landing.begin(dest, SafePaths.under(work, dest), LandingFiles.UNKNOWN));
    }

    /** A file fetched whole (not unpacked) was moved to {@code dest} in the work dir. */
    void copied(String dest) {
        written.add(dest);
    }

    /** A symlink at {@code dest}, created with the others once every file is written. */
    void symlink(String dest, String target, String entryName) throws HostileArchive {
        SafePaths.checkLinkTarget(archiveName, entryName, dest, target);
        checkNotInsideLink(dest, entryName);
        links.remove(dest); // re-put at the end: a later link of the same name is created later
        links.put(dest, target);
    }

    /**
     * Creates the symlinks. Each replaces a file of the same name written before it (the later
     * member wins); one that would replace a directory is refused.
     */
    void finish() throws IOException, StagingFailure {
        for (Map.Entry<String, String> link : links.entrySet()) {
            Path at = SafePaths.under(work, link.getKey());
            RealPaths.createDirectories(work, at.getParent());
            if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw new HostileArchive(archiveName, link.getKey(), "is a symlink in the place of a directory");
            }
            Files.deleteIfExists(at);
            Files.createSymbolicLink(at, Path.of(link.getValue()));
            written.remove(link.getKey());
            written.add(link.getKey());
        }
        links.clear();
    }

    private void directory(String dest, String entryName) throws IOException, HostileArchive {
        checkNotInsideLink(dest, entryName);
        links.remove(dest); // a directory replaces an earlier link of its name
        RealPaths.createDirectories(work, SafePaths.under(work, dest));
    }

    private void hardLink(String from, String dest, String entryName) throws IOException, StagingFailure {
        Path source = SafePaths.under(work, from);
        if (!written.contains(from) || links.containsKey(from) || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new HostileArchive(archiveName, entryName, "is a hard link to something not in the archive");
        }
        checkNotInsideLink(dest, entryName);
        Path target = SafePaths.under(work, dest);
        RealPaths.createDirectories(work, target.getParent());
        account(Files.size(source));
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        links.remove(dest);
        written.add(dest);
    }

    /** Writes one file; returns its size. */
    private long write(InputStream in, String dest, String entryName, Long expectedCrc, LongConsumer landed)
            throws IOException, StagingFailure {
        checkNotInsideLink(dest, entryName);
        links.remove(dest); // a file replaces an earlier link of its name
        Path target = SafePaths.under(work, dest);
        RealPaths.createDirectories(work, target.getParent());
        CRC32 crc = new CRC32();
        long fileBytes = 0;
        // Unbuffered, so written bytes are in the file; never through a link, though none exists yet.
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                account(n);
                out.write(buffer, 0, n);
                crc.update(buffer, 0, n);
                fileBytes += n;
                landed.accept(fileBytes);
                progress.bytes(bytes, expectedTotal);
            }
        }
        if (expectedCrc != null && expectedCrc >= 0 && crc.getValue() != expectedCrc) {
            throw new Checksums.ChecksumMismatch(archiveName + "!" + dest + ": crc32 differs from the zip directory");
        }
        written.add(dest);
        return fileBytes;
    }

    /** A member at {@code dest} must not lie inside a symlink the archive made (GNU tar would write through it). */
    private void checkNotInsideLink(String dest, String entryName) throws HostileArchive {
        for (int slash = dest.indexOf('/'); slash > 0; slash = dest.indexOf('/', slash + 1)) {
            String above = dest.substring(0, slash);
            if (links.containsKey(above)) {
                throw new HostileArchive(archiveName, entryName, "lies inside the symlink '" + above + "' the archive made");
            }
        }
    }

    private void countMember() throws StagingFailure {
        if (++members > limits.maxMembers()) {
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, archiveName + " has more than " + limits.maxMembers()
                    + " members (--max-archive-members); nothing was installed");
        }
    }

    /** {@code n} more bytes are about to be written: within every limit, and with room on the disk for them. */
    private void account(long n) throws IOException, StagingFailure {
        bytes += n;
        archiveBytes += n;
        if (bytes > limits.maxUnpackedBytes()) {
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, archiveName + " unpacks to more than "
                    + Sizes.of(limits.maxUnpackedBytes()) + " (--max-unpacked-mb); nothing was installed");
        }
        if (limits.maxExpansionRatio() > 0 && archiveBytes > RATIO_FLOOR
                && archiveBytes > limits.maxExpansionRatio() * (double) archiveSize) {
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, archiveName + " (" + Sizes.of(archiveSize)
                    + ") unpacks to more than " + limits.maxExpansionRatio() + " times its size (--max-expansion-ratio),"
                    + " as an archive bomb does; nothing was installed");
        }
        room.need(bytes);
    }
}
