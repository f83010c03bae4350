package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only seekable view of a remote object made of Range requests, so that a zip's
 * central directory and one member can be read without fetching the other members. Each miss
 * fetches at least {@code READ_AHEAD} bytes; sequential reads continue on the open stream.
 */
final class RangedChannel implements SeekableByteChannel {
    private static final int READ_AHEAD = 64 * 1024;

    private final ArchiveSource source;
    private final ObjectInfo info;
    private long position;
    private InputStream stream;
    private long streamPosition = -1;
    private long streamEnd;
    private long bytesFetched;
    private boolean open = true;
    private long windowStart = -1;
    private long windowEnd = -1;

    RangedChannel(ArchiveSource source, ObjectInfo info) {
        this.source = source;
        this.info = info;
    }

    /** Reads inside {@code [start, start + length)} fetch up to its end in one request (a zip member's data). */
    void expect(long start, long length) {
        windowStart = start;
        windowEnd = Math.min(info.size(), start + length);
    }

    long bytesFetched() {
        return bytesFetched;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= info.size()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), info.size() - position);
        long gap = position - streamPosition;
        if (stream != null && gap > 0 && gap <= READ_AHEAD && position < streamEnd) {
            stream.skipNBytes(gap); // a short hop forward: cheaper than a new request
            streamPosition = position;
        }
        if (stream == null || streamPosition != position || streamEnd <= position) {
            reopen(want);
        }
        byte[] chunk = new byte[(int) Math.min(want, streamEnd - position)];
        int n = stream.read(chunk);
        if (n < 0) {
            throw new SourceStream.SourceException("unexpected end of " + info.name() + " at byte " + position, null);
        }
        dst.put(chunk, 0, n);
        position += n;
        streamPosition += n;
        return n;
    }

    private void reopen(int want) throws IOException {
        closeStream();
        long length = Math.min(Math.max(want, READ_AHEAD), info.size() - position);
        if (position >= windowStart && position < windowEnd) {
            length = Math.max(want, windowEnd - position);
        }
        try {
            stream = source.open(info, position, length);
        } catch (IOException | RuntimeException e) {
            throw new SourceStream.SourceException("range read of " + info.name() + " failed: " + e.getMessage(), e);
        }
        streamPosition = position;
        streamEnd = position + length;
        bytesFetched += length;
    }

    private void closeStream() throws IOException {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return info.size();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        closeStream();
    }
}
