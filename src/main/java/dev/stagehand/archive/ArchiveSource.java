package dev.stagehand.archive;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * A build's files in some store. Names are relative to the build (may contain '/').
 * Small on purpose, so that HTTP or other stores can be added later.
 */
public interface ArchiveSource {
    /** Every object name under the build. */
    List<String> list() throws IOException;

    /** Whether anything at all is stored under this path (cheap: one object is enough). */
    boolean exists() throws IOException;

    /** The names of the "directories" right under this path (e.g. the builds of a target), without a trailing '/'. */
    List<String> directories() throws IOException;

    /** Size, checksums and generation of one object, or empty if it does not exist (yet). */
    Optional<ObjectInfo> stat(String name) throws IOException;

    /**
     * Bytes {@code [offset, offset + length)} of the object as it was at {@code info.generation()};
     * {@code length < 0} means to the end. A channel rather than a stream, so that a download
     * can read straight into the buffer it writes to disk.
     */
    ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException;

    /**
     * Writes the object's bytes from {@code offset} to its end into {@code sink}, as they arrive;
     * the sink may stop the transfer by throwing. The same bytes as {@link #open}, pushed rather
     * than pulled, for a source whose pull path costs more than its push path (GCS).
     */
    default void copyTo(ObjectInfo info, long offset, java.io.OutputStream sink) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 20);
        try (ReadableByteChannel in = open(info, offset, -1)) {
            while (in.read(buffer.clear()) >= 0) {
                sink.write(buffer.array(), 0, buffer.position());
            }
        }
    }

    /** The archive URL of the build, for messages. */
    String describe();
}
