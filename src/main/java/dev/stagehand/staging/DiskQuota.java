package dev.stagehand.staging;

/**
 * How much the staging disk may hold: at most {@code maxStagedBytes} under the static dir (null:
 * no cap), and at least {@code minFreeBytes} left free on its filesystem.
 */
public record DiskQuota(Long maxStagedBytes, long minFreeBytes) {
    /** The default reserve: 5% of the filesystem. */
    public static long defaultMinFree(long filesystemBytes) {
        return filesystemBytes / 20;
    }
}
