package dev.stagehand.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/** Builds realistic build archives in memory: tarballs of each compression, zips of images, payloads. */
public final class TestArchives {
    private TestArchives() {}

    public enum Compression { NONE, GZIP, BZIP2, XZ }

    /** Entries in archive order (a name may come twice, as in real tars): files, directories, links and devices. */
    public static final class Tar {
        private final List<Map.Entry<String, Object>> entries = new ArrayList<>();

        private Tar add(String name, Object value) {
            entries.add(Map.entry(name, value));
            return this;
        }

        public Tar file(String name, String content) {
            return add(name, content.getBytes(StandardCharsets.UTF_8));
        }

        public Tar file(String name, byte[] content) {
            return add(name, content);
        }

        public Tar directory(String name) {
            return add(name.endsWith("/") ? name : name + "/", new Directory());
        }

        public Tar symlink(String name, String target) {
            return add(name, new Symlink(target));
        }

        public Tar hardLink(String name, String target) {
            return add(name, new HardLink(target));
        }

        public Tar device(String name) {
            return add(name, new Device());
        }

        /** A member of {@code size} zero bytes, written without holding them (an archive bomb's payload). */
        public Tar zeros(String name, long size) {
            return add(name, new Zeros(size));
        }

        /** {@code count} empty files under {@code dir}. */
        public Tar emptyFiles(String dir, int count) {
            for (int i = 0; i < count; i++) {
                add(dir + "/" + i, new byte[0]);
            }
            return this;
        }

        public byte[] build(Compression compression) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream compressed = compress(bytes, compression);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (var e : entries) {
                    write(tar, e.getKey(), e.getValue());
                }
            }
            return bytes.toByteArray();
        }

        private static void write(TarArchiveOutputStream tar, String name, Object value) throws IOException {
            if (value instanceof Symlink link) {
                TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                entry.setLinkName(link.target());
                tar.putArchiveEntry(entry);
            } else if (value instanceof HardLink link) {
                TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                entry.setLinkName(link.target());
                tar.putArchiveEntry(entry);
            } else if (value instanceof Directory) {
                tar.putArchiveEntry(new TarArchiveEntry(name));
            } else if (value instanceof Zeros zeros) {
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                entry.setSize(zeros.size());
                tar.putArchiveEntry(entry);
                byte[] block = new byte[1 << 20];
                for (long left = zeros.size(); left > 0; left -= block.length) {
                    tar.write(block, 0, (int) Math.min(block.length, left));
                }
            } else if (value instanceof Device) {
                TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_CHR);
                tar.putArchiveEntry(entry);
            } else {
                byte[] data = (byte[]) value;
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                entry.setSize(data.length);
                tar.putArchiveEntry(entry);
                tar.write(data);
            }
            tar.closeArchiveEntry();
        }
    }

    private record Symlink(String target) {}

    private record HardLink(String target) {}

    private record Directory() {}

    private record Zeros(long size) {}

    private record Device() {}

    public static Tar tar() {
        return new Tar();
    }

    public static OutputStream compress(OutputStream out, Compression c) throws IOException {
        return switch (c) {
            case NONE -> out;
            case GZIP -> new GzipCompressorOutputStream(out);
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case XZ -> new XZCompressorOutputStream(out, 1);
        };
    }

    /** A zip of the given members (stored with deflate). */
    public static byte[] zip(Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (var e : members.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A zip holding one symlink member (unix mode 0120777; its data is the target), as zip tools store them. */
    public static byte[] zipSymlink(String name, String target) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(0120777);
            zip.putArchiveEntry(entry);
            zip.write(target.getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * A zip whose one member inflates to {@code realSize} zero bytes while its central directory
     * claims {@code claimedSize}: what a zip bomb with lying headers looks like.
     */
    public static byte[] lyingZip(String name, long realSize, long claimedSize) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            zip.putArchiveEntry(new ZipArchiveEntry(name));
            byte[] block = new byte[1 << 20];
            for (long left = realSize; left > 0; left -= block.length) {
                zip.write(block, 0, (int) Math.min(block.length, left));
            }
            zip.closeArchiveEntry();
        }
        byte[] zip = bytes.toByteArray();
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(zip).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = zip.length - 46; i >= 0; i--) {
            if (le.getInt(i) == 0x02014b50) { // the central directory's header of the member: its uncompressed size
                le.putInt(i + 24, (int) claimedSize);
                return zip;
            }
        }
        throw new IllegalStateException("no central directory written");
    }

    /** Incompressible bytes, so compressed sizes are realistic. */
    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
