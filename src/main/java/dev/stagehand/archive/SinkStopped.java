package dev.stagehand.archive;

import java.io.IOException;

/**
 * Thrown by a sink given to {@link ArchiveSource#copyTo} to end the transfer on purpose (it has
 * all it wants, or it was cancelled); the source passes it on as it is, never as the store's error.
 */
public class SinkStopped extends IOException {
    public SinkStopped(String message) {
        super(message);
    }
}
