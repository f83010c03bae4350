package dev.stagehand.staging.transfer;

/**
 * How objects are fetched: at or above {@code sliceThresholdBytes}, as ranged slices over up to
 * {@code streams} connections at once ({@code --slice-threshold-mb}, {@code --download-streams}).
 * Such an object starts on one stream; when that stream delivers less than
 * {@code fastStreamBytesPerSecond} in its first moments, the rest is split into slices. A faster
 * stream is not held back by the store but by this machine (a LAN mirror, loopback), where more
 * connections only compete for the same CPU and disk. 0: always slice ({@code --fast-stream-mibps}).
 */
public record DownloadSettings(long sliceThresholdBytes, int streams, long fastStreamBytesPerSecond) {
    public DownloadSettings {
        if (streams < 1 || sliceThresholdBytes < 1 || fastStreamBytesPerSecond < 0) {
            throw new IllegalArgumentException("--download-streams and --slice-threshold-mb must be at least 1,"
                    + " --fast-stream-mibps at least 0");
        }
    }

    public boolean sliced(long size) {
        return streams > 1 && size >= sliceThresholdBytes;
    }

    /** Whether a large object first tries one stream (else it is sliced from the start). */
    boolean probesFirst() {
        return fastStreamBytesPerSecond > 0;
    }
}
