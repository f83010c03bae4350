package dev.stagehand.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/** An archive source that reports every byte read from it (the downloaded-bytes metric). */
final class CountedSource implements ArchiveSource {
    private final ArchiveSource source;
    private final LongConsumer bytesRead;

    CountedSource(ArchiveSource source, LongConsumer bytesRead) {
        this.source = source;
        this.bytesRead = bytesRead;
    }

    @Override
    public List<String> list() throws IOException {
        return source.list();
    }

    @Override
    public boolean exists() throws IOException {
        return source.exists();
    }

    @Override
    public List<String> directories() throws IOException {
        return source.directories();
    }

    @Override
    public Optional<ObjectInfo> stat(String name) throws IOException {
        return source.stat(name);
    }

    @Override
    public ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException {
        ReadableByteChannel channel = source.open(info, offset, length);
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = channel.read(dst);
                if (n > 0) {
                    bytesRead.accept(n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public void copyTo(ObjectInfo info, long offset, java.io.OutputStream sink) throws IOException {
        source.copyTo(info, offset, new java.io.FilterOutputStream(sink) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sink.write(b, off, len);
                bytesRead.accept(len);
            }
        });
    }

    @Override
    public String describe() {
        return source.describe();
    }
}
