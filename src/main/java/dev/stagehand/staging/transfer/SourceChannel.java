package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * An object's bytes from a position to an end (the object's end, or a slice's) that survives
 * dropped connections: a failed
 * read reopens the source at the current position (a Range request), a few times, so a drop
 * costs only the bytes in flight. Errors it gives up on are {@link SourceException}s
 * (retryable), never mistaken for a corrupt archive.
 */
public final class SourceChannel implements ReadableByteChannel {
    static final int MAX_REOPENS = 5;

    private final ArchiveSource source;
    private final ObjectInfo info;
    private final long end;
    private long position;
    private ReadableByteChannel current;
    private int reopens;
    private boolean open = true;

    public SourceChannel(ArchiveSource source, ObjectInfo info, long start) {
        this(source, info, start, info.size());
    }

    /** Bytes {@code [start, end)}; {@code end < 0} means to the object's end, whatever its size. */
    public SourceChannel(ArchiveSource source, ObjectInfo info, long start, long end) {
        this.source = source;
        this.info = info;
        this.position = start;
        this.end = end;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            if (end >= 0 && position >= end) {
                return -1;
            }
            int before = dst.position();
            try {
                if (current == null) {
                    current = source.open(info, position, end < 0 || end == info.size() ? -1 : end - position);
                }
                int n = current.read(dst);
                if (n < 0 && end >= 0 && position < end) {
                    throw new IOException("connection closed at byte " + position + " of " + end);
                }
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException | RuntimeException e) {
                dst.position(before); // whatever a failed read left in the buffer is not counted
                closeCurrent();
                if (e instanceof ArchiveError archive && archive.permanent()) {
                    throw archive; // denied or missing: reopening cannot help
                }
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
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        closeCurrent();
    }

    /** The archive could not be read: worth a retry, unlike a corrupt archive. */
    public static final class SourceException extends IOException {
        public SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
