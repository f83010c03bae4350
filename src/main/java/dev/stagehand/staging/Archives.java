package dev.stagehand.staging;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/** Which archive format a file name means, and the matching Commons Compress streams. */
final class Archives {
    private Archives() {}

    static boolean isZip(String name) {
        return name.endsWith(".zip");
    }

    /** An uncompressed tar, whose members can be read by range. */
    static boolean isPlainTar(String name) {
        return name.endsWith(".tar");
    }

    /** A tar stream over raw (possibly compressed) bytes; the compression is detected from the bytes. */
    static TarArchiveInputStream tar(InputStream raw, String name) throws IOException {
        InputStream buffered = new BufferedInputStream(raw, 1 << 16);
        if (isPlainTar(name)) {
            return new TarArchiveInputStream(buffered);
        }
        return new TarArchiveInputStream(decompressed(buffered, name));
    }

    /** The decompressed bytes of a compressed stream; the compression is detected from the bytes. */
    static InputStream decompressed(InputStream raw, String name) throws IOException {
        try {
            return new BufferedInputStream(new CompressorStreamFactory().createCompressorInputStream(
                    raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16)), 1 << 16);
        } catch (CompressorException e) {
            throw new IOException("unknown compression for " + name + ": " + e.getMessage(), e);
        }
    }
}
