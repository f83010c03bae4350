package dev.stagehand.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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

    /** Entries: name -> content; a name ending in '/' is a directory; "link -> target" values make symlinks. */
    public static final class Tar {
        private final Map<String, Object> entries = new LinkedHashMap<>();

        public Tar file(String name, String content) {
            entries.put(name, content.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public Tar file(String name, byte[] content) {
            entries.put(name, content);
            return this;
        }

        public Tar symlink(String name, String target) {
            entries.put(name, new Symlink(target));
            return this;
        }

        public Tar device(String name) {
            entries.put(name, new Device());
            return this;
        }

        public byte[] build(Compression compression) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream compressed = compress(bytes, compression);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (var e : entries.entrySet()) {
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

    private record Device() {}

    public static Tar tar() {
        return new Tar();
    }

    static OutputStream compress(OutputStream out, Compression c) throws IOException {
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
