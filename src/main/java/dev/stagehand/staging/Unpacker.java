package dev.stagehand.staging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Writes archive entries into a work directory that mirrors the build directory, refusing any
 * entry that is absolute, climbs with '..', links outside the build, or is a device or FIFO.
 * Returns the build-relative paths it wrote; the caller installs them or throws them away.
 */
final class Unpacker {
    private final Path work;
    private String archiveName;
    private final Progress progress;
    private final MemberLanding landing;
    private final List<String> written = new ArrayList<>();
    private final byte[] buffer = new byte[Download.BUFFER];
    private long bytes;

    /** Where a single member (an image) being written can be followed while it lands. */
    interface MemberLanding {
        MemberLanding NONE = (dest, file, size) -> bytes -> {};

        /** The member {@code dest} starts landing at {@code file}; returns where to report its bytes on disk. */
        LongConsumer begin(String dest, Path file, long size);
    }

    Unpacker(Path work, Progress progress) {
        this(work, progress, MemberLanding.NONE);
    }

    Unpacker(Path work, Progress progress, MemberLanding landing) {
        this.landing = landing;
        this.work = work;
        this.archiveName = "";
        this.progress = progress;
    }

    /** Names the archive the next entries come from (for messages about them). */
    Unpacker reading(String archive) {
        this.archiveName = archive;
        return this;
    }

    List<String> written() {
        return written;
    }

    /** Every entry the rule takes, from a tar stream, under {@code into}. */
    void tar(TarArchiveInputStream tar, Rule rule) throws IOException, HostileArchive {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (!rule.takesEntry(entry.getName())) {
                continue;
            }
            String dest = rule.entryDestination(archiveName, entry.getName());
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw new HostileArchive(archiveName, entry.getName(), "is a device or FIFO");
            } else if (entry.isSymbolicLink()) {
                SafePaths.checkLinkTarget(archiveName, entry.getName(), dest, entry.getLinkName());
                symlink(dest, entry.getLinkName());
            } else if (entry.isLink()) {
                String target = rule.entryDestination(archiveName, entry.getLinkName());
                copyWritten(target, dest, entry.getName());
            } else if (entry.isDirectory()) {
                Files.createDirectories(SafePaths.under(work, dest));
            } else {
                write(tar, dest, null, bytes -> {});
            }
        }
    }

    /** One named member of a tar stream, to {@code dest}; false if the archive has no such member. */
    boolean tarMember(TarArchiveInputStream tar, String member, String dest) throws IOException {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (entry.getName().equals(member) && entry.isFile()) {
                write(tar, dest, null, landing.begin(dest, SafePaths.under(work, dest), entry.getSize()));
                return true;
            }
        }
        return false;
    }

    /** Every entry the rule takes from a zip, each checked against its CRC32. */
    void zip(ZipFile zip, Rule rule) throws IOException, HostileArchive {
        for (ZipArchiveEntry entry : java.util.Collections.list(zip.getEntries())) {
            if (!rule.takesEntry(entry.getName())) {
                continue;
            }
            String dest = rule.entryDestination(archiveName, entry.getName());
            if (entry.isUnixSymlink()) {
                throw new HostileArchive(archiveName, entry.getName(), "is a symlink (not allowed in zip archives)");
            } else if (entry.isDirectory()) {
                Files.createDirectories(SafePaths.under(work, dest));
            } else {
                zipEntry(zip, entry, dest);
            }
        }
    }

    /** What the rule will unpack from a zip, by its central directory: the member, or every entry taken. */
    static long zipBytes(ZipFile zip, Rule rule) {
        if (rule.action() == Rule.Action.MEMBER) {
            ZipArchiveEntry entry = zip.getEntry(rule.member());
            return entry == null ? 0 : Math.max(0, entry.getSize());
        }
        return java.util.Collections.list(zip.getEntries()).stream()
                .filter(e -> !e.isDirectory() && rule.takesEntry(e.getName())).mapToLong(e -> Math.max(0, e.getSize())).sum();
    }

    /** One named member of a zip; false if it has no such member. */
    boolean zipMember(ZipFile zip, RangedChannel channel, String member, String dest) throws IOException {
        ZipArchiveEntry entry = zip.getEntry(member);
        if (entry == null || entry.isDirectory()) {
            return false;
        }
        // Local header (30 bytes + name + extra field, rarely over 1 KiB) and data in one request.
        channel.expect(entry.getLocalHeaderOffset(), 30 + entry.getRawName().length + 1024 + entry.getCompressedSize());
        try (InputStream in = zip.getInputStream(entry)) {
            write(in, dest, entry.getCrc(), landing.begin(dest, SafePaths.under(work, dest), entry.getSize()));
        }
        return true;
    }

    private void zipEntry(ZipFile zip, ZipArchiveEntry entry, String dest) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            write(in, dest, entry.getCrc(), bytes -> {});
        }
    }

    private void write(InputStream in, String dest, Long expectedCrc, LongConsumer landed) throws IOException {
        Path target = SafePaths.under(work, dest);
        Files.createDirectories(target.getParent());
        CRC32 crc = new CRC32();
        long fileBytes = 0;
        try (OutputStream out = Files.newOutputStream(target)) { // unbuffered: written bytes are in the file
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                crc.update(buffer, 0, n);
                bytes += n;
                fileBytes += n;
                landed.accept(fileBytes);
                progress.bytes(bytes, null);
            }
        }
        if (expectedCrc != null && expectedCrc >= 0 && crc.getValue() != expectedCrc) {
            throw new Checksums.ChecksumMismatch(archiveName + "!" + dest + ": crc32 differs from the zip directory");
        }
        written.add(dest);
    }

    void symlink(String dest, String target) throws IOException {
        Path link = SafePaths.under(work, dest);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(target));
        written.add(dest);
    }

    private void copyWritten(String from, String dest, String entryName) throws IOException, HostileArchive {
        Path source = SafePaths.under(work, from);
        if (!written.contains(from) || !Files.isRegularFile(source)) {
            throw new HostileArchive(archiveName, entryName, "is a hard link to something not in the archive");
        }
        Path target = SafePaths.under(work, dest);
        Files.createDirectories(target.getParent());
        Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        written.add(dest);
    }
}
