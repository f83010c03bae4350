package dev.stagehand.staging.transfer;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only seekable view of a remote object made of Range requests, so that a zip's
 * central directory and one member can be read without fetching the other members. Each miss
 * outside the expected member window reads one aligned 64 KiB block (cached); reads
 * inside it stream to the window's end in a single request.
 */
public final class RangedChannel implements SeekableByteChannel {
    private static final int BLOCK = 64 * 1024;

    private final ArchiveSource source;
    private final ObjectInfo info;
    private long position;
    private ReadableByteChannel stream;
    private long streamPosition = -1;
    private final byte[] block = new byte[BLOCK];
    private long blockStart = -1;
    private int blockLength;
    private boolean open = true;
    private long windowStart = -1;
    private long windowEnd = -1;

    private final DownloadSettings download;

    public RangedChannel(ArchiveSource source, ObjectInfo info, DownloadSettings download) {
        this.source = source;
        this.info = info;
        this.download = download;
    }

    /** Reads inside {@code [start, start + length)} fetch up to its end in one request (a zip member's data). */
    public void expect(long start, long length) {
        windowStart = start;
        windowEnd = Math.min(info.size(), start + length);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= info.size()) {
            return -1;
        }
        if (position >= windowStart && position < windowEnd) {
            return readStreaming(dst);
        }
        if (position < blockStart || position >= blockStart + blockLength) {
            loadBlock();
        }
        int n = (int) Math.min(dst.remaining(), blockStart + blockLength - position);
        dst.put(block, (int) (position - blockStart), n);
        position += n;
        return n;
    }

    /** Small reads (directory, headers, a backwards signature scan) come from one aligned block. */
    private void loadBlock() throws IOException {
        blockStart = position - position % BLOCK;
        blockLength = (int) Math.min(BLOCK, info.size() - blockStart);
        int read;
        try (InputStream in = Channels.newInputStream(source.open(info, blockStart, blockLength))) {
            read = in.readNBytes(block, 0, blockLength);
        } catch (ArchiveError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SourceChannel.SourceException("range read of " + info.name() + " failed: " + e.getMessage(), e);
        }
        if (read < blockLength) { // never the rest of the last block read: an index or a directory from stale bytes
            throw new SourceChannel.SourceException("range read of " + info.name() + " ended after " + read + " of " + blockLength
                    + " bytes", null);
        }
    }

    /** Inside the expected window: one request to the window's end, read sequentially. */
    private int readStreaming(ByteBuffer dst) throws IOException {
        long gap = position - streamPosition;
        if (stream != null && gap > 0 && gap <= BLOCK) {
            Channels.newInputStream(stream).skipNBytes(gap); // a short hop forward: cheaper than a new request
            streamPosition = position;
        }
        if (stream == null || streamPosition != position) {
            closeStream();
            try {
                // a large member comes over several connections at once, still in order
                stream = download.sliced(windowEnd - position)
                        ? new ParallelRangeChannel(source, info, position, windowEnd, download.streams())
                        : source.open(info, position, windowEnd - position);
            } catch (ArchiveError e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new SourceChannel.SourceException("range read of " + info.name() + " failed: " + e.getMessage(), e);
            }
            streamPosition = position;
        }
        int want = (int) Math.min(dst.remaining(), windowEnd - position);
        int n = stream.read(dst.slice(dst.position(), want)); // straight into the caller's buffer
        if (n < 0) {
            throw new SourceChannel.SourceException("unexpected end of " + info.name() + " at byte " + position, null);
        }
        dst.position(dst.position() + n);
        position += n;
        streamPosition += n;
        return n;
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
