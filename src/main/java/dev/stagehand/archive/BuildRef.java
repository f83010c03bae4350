package dev.stagehand.archive;

/**
 * A build as stagehand knows it: its archive URL and where it is staged, relative to the static
 * dir ({@code gs://bucket/a/b/R1} is staged at {@code a/b/R1}). The build's name, the last part
 * of that path (e.g. R78-12499.0.0), comes from here only.
 */
public record BuildRef(ArchiveUrl url, String path) {
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
