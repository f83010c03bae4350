package dev.stagehand.staging;

/**
 * How objects are fetched: at or above {@code sliceThresholdBytes}, as ranged slices over up to
 * {@code streams} connections at once ({@code --slice-threshold-mb}, {@code --download-streams}).
 */
public record DownloadSettings(long sliceThresholdBytes, int streams) {
    public static DownloadSettings defaults() {
        return new DownloadSettings(64L << 20, 8);
    }

    public DownloadSettings {
        if (streams < 1 || sliceThresholdBytes < 1) {
            throw new IllegalArgumentException("--download-streams and --slice-threshold-mb must be at least 1");
        }
    }

    boolean sliced(long size) {
        return streams > 1 && size >= sliceThresholdBytes;
    }
}
