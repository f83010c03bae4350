package dev.stagehand.staging;

import java.nio.file.Path;

/**
 * How much the staging disk may hold: at most {@code maxStagedBytes} under the static dir (null:
 * no cap), and at least {@code minFreeBytes} left free on its filesystem. When the H2 database
 * lives on another filesystem ({@code databaseDir}, null otherwise), staging also stops while
 * that one has less than {@code databaseMinFreeBytes} free: a full disk closes H2 for good.
 */
public record DiskQuota(Long maxStagedBytes, long minFreeBytes, Path databaseDir, long databaseMinFreeBytes) {
    /** The default reserve: 5% of the filesystem. */
    public static long defaultMinFree(long filesystemBytes) {
        return filesystemBytes / 20;
    }
}
