package dev.stagehand.staging.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A download in progress and its sidecars, named in this one place: {@code .generation} holds
 * the object generation a single-stream download resumes only for, {@code .slices} how far each
 * slice of a sliced one got (tied to the generation too).
 */
public final class PartialFile {
    private PartialFile() {}

    static Path generation(Path partial) {
        return partial.resolveSibling(partial.getFileName() + ".generation");
    }

    static Path slices(Path partial) {
        return partial.resolveSibling(partial.getFileName() + ".slices");
    }

    /** The partial file and both sidecars gone: the next attempt starts over. */
    public static void discard(Path partial) throws IOException {
        Files.deleteIfExists(partial);
        Files.deleteIfExists(generation(partial));
        Files.deleteIfExists(slices(partial));
    }
}
