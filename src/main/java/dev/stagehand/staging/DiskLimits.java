package dev.stagehand.staging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The disk flags as given: {@code --max-staged-mb} (null: no cap) and {@code --min-free-mb}
 * (null: 5% of the static dir's filesystem).
 */
public record DiskLimits(Long maxStagedMb, Long minFreeMb) {
    private static final long MB = 1L << 20;

    public static DiskLimits defaults() {
        return new DiskLimits(null, null);
    }

    public DiskQuota quotaFor(StagingArea area) {
        try {
            long minFree = minFreeMb != null ? minFreeMb * MB
                    : DiskQuota.defaultMinFree(Files.getFileStore(area.root()).getTotalSpace());
            return new DiskQuota(maxStagedMb == null ? null : maxStagedMb * MB, minFree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
