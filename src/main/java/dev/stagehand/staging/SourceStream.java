package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;

/**
 * An object's bytes from a position to the end that survives dropped connections: a failed
 * read reopens the source at the current position (a Range request), a few times, so a drop
 * costs only the bytes in flight. Errors it gives up on are {@link SourceException}s
 * (retryable), never mistaken for a corrupt archive.
 */
final class SourceStream extends InputStream {
    private static final int MAX_REOPENS = 5;

    private final ArchiveSource source;
    private final ObjectInfo info;
    private long position;
    private InputStream current;
    private int reopens;

    SourceStream(ArchiveSource source, ObjectInfo info, long start) {
        this.source = source;
        this.info = info;
        this.position = start;
    }

    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (info.size() >= 0 && position >= info.size()) {
                return -1;
            }
            try {
                if (current == null) {
                    current = source.open(info, position, -1);
                }
                int n = current.read(b, off, len);
                if (n < 0 && info.size() >= 0 && position < info.size()) {
                    throw new IOException("connection closed at byte " + position + " of " + info.size());
                }
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException | RuntimeException e) {
                closeCurrent();
                if (++reopens > MAX_REOPENS) {
                    throw new SourceException("reading " + info.name() + " from " + source.describe() + " failed at byte "
                            + position + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException | RuntimeException ignored) {
                // the connection is already broken
            }
            current = null;
        }
    }

    @Override
    public void close() {
        closeCurrent();
    }

    /** The archive could not be read: worth a retry, unlike a corrupt archive. */
    static final class SourceException extends IOException {
        SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
