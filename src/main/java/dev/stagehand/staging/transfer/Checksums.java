package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;
import org.apache.commons.io.input.ObservableInputStream;

/**
 * Size and checksum of the bytes as they stream past, compared with the archive's metadata at
 * the end (the GCS client checks none of them). CRC32C when the archive gives one (GCS always
 * does; it costs a fraction of MD5's CPU), MD5 otherwise.
 */
public final class Checksums {
    private final MessageDigest md5;
    private final CRC32C crc32c = new CRC32C();
    private long size;

    public Checksums(ObjectInfo expected) {
        try {
            md5 = expected.crc32cBase64() == null && expected.md5Base64() != null ? MessageDigest.getInstance("MD5") : null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(byte[] b, int off, int len) {
        if (md5 != null) {
            md5.update(b, off, len);
        }
        crc32c.update(b, off, len);
        size += len;
    }

    /** Takes the buffer's bytes from position to limit (and leaves it at its limit). */
    void update(ByteBuffer bytes) {
        if (md5 != null) {
            md5.update(bytes.duplicate());
        }
        size += bytes.remaining();
        crc32c.update(bytes);
    }

    long size() {
        return size;
    }

    /** Throws {@link ChecksumMismatch} (retryable) when size or a given checksum differs. */
    public void verify(ObjectInfo expected) throws ChecksumMismatch {
        if (expected.size() >= 0 && size != expected.size()) {
            throw new ChecksumMismatch(expected.name() + ": got " + size + " bytes, archive says " + expected.size());
        }
        if (md5 != null) {
            String actual = Base64.getEncoder().encodeToString(md5.digest());
            if (!actual.equals(expected.md5Base64())) {
                throw new ChecksumMismatch(expected.name() + ": md5 " + actual + " != archive's " + expected.md5Base64());
            }
        }
        if (expected.crc32cBase64() != null) {
            verifyCrc32c(expected, (int) crc32c.getValue());
        }
    }

    /** Throws {@link ChecksumMismatch} unless {@code crc} is the archive's CRC32C of the object. */
    static void verifyCrc32c(ObjectInfo expected, int crc) throws ChecksumMismatch {
        String actual = Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc).array());
        if (!actual.equals(expected.crc32cBase64())) {
            throw new ChecksumMismatch(expected.name() + ": crc32c " + actual + " != archive's " + expected.crc32cBase64());
        }
    }

    /** An input stream that feeds every byte read into these checksums. */
    public InputStream watch(InputStream in) {
        ObservableInputStream watched = new ObservableInputStream(in);
        watched.add(new ObservableInputStream.Observer() {
            @Override
            public void data(int value) {
                update(new byte[] {(byte) value}, 0, 1);
            }

            @Override
            public void data(byte[] buffer, int offset, int length) {
                update(buffer, offset, length);
            }
        });
        return watched;
    }

    public static final class ChecksumMismatch extends IOException {
        public ChecksumMismatch(String message) {
            super("checksum mismatch: " + message);
        }
    }
}
