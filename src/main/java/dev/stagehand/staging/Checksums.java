package dev.stagehand.staging;

import dev.stagehand.archive.ObjectInfo;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Size, MD5 and CRC32C of the bytes as they stream past, compared with the archive's metadata
 * at the end (the GCS client checks none of them).
 */
final class Checksums {
    private final MessageDigest md5;
    private final CRC32C crc32c = new CRC32C();
    private long size;

    Checksums() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(byte[] b, int off, int len) {
        md5.update(b, off, len);
        crc32c.update(b, off, len);
        size += len;
    }

    long size() {
        return size;
    }

    /** Throws {@link ChecksumMismatch} (retryable) when size or a given checksum differs. */
    void verify(ObjectInfo expected) throws ChecksumMismatch {
        if (expected.size() >= 0 && size != expected.size()) {
            throw new ChecksumMismatch(expected.name() + ": got " + size + " bytes, archive says " + expected.size());
        }
        if (expected.md5Base64() != null) {
            String actual = Base64.getEncoder().encodeToString(md5.digest());
            if (!actual.equals(expected.md5Base64())) {
                throw new ChecksumMismatch(expected.name() + ": md5 " + actual + " != archive's " + expected.md5Base64());
            }
        }
        if (expected.crc32cBase64() != null) {
            byte[] crc = ByteBuffer.allocate(4).putInt((int) crc32c.getValue()).array();
            String actual = Base64.getEncoder().encodeToString(crc);
            if (!actual.equals(expected.crc32cBase64())) {
                throw new ChecksumMismatch(expected.name() + ": crc32c " + actual + " != archive's " + expected.crc32cBase64());
            }
        }
    }

    /** An input stream that feeds every byte read into these checksums. */
    InputStream watch(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    update(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                byte[] buf = new byte[8192];
                long done = 0;
                while (done < n) {
                    int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                    if (r < 0) {
                        break;
                    }
                    done += r;
                }
                return done;
            }
        };
    }

    static final class ChecksumMismatch extends IOException {
        ChecksumMismatch(String message) {
            super("checksum mismatch: " + message);
        }
    }
}
