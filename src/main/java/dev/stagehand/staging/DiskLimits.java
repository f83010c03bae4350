package dev.stagehand.staging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The disk flags as given: {@code --max-staged-mb} (null: no cap) and {@code --min-free-mb}
 * (null: 5% of the static dir's filesystem, and of the database's when it is another one).
 */
public record DiskLimits(Long maxStagedMb, Long minFreeMb) {
    private static final long MB = 1L << 20;

    /** The quota for the static dir of {@code area}, and for {@code databaseDir} (the H2 file's; null on PostgreSQL). */
    public DiskQuota quotaFor(StagingArea area, Path databaseDir) {
        try {
            FileStore staticStore = Files.getFileStore(area.root());
            long minFree = minFreeMb != null ? minFreeMb * MB : DiskQuota.defaultMinFree(staticStore.getTotalSpace());
            Path otherDisk = null;
            long databaseMinFree = 0;
            if (databaseDir != null && Files.isDirectory(databaseDir) && !Files.getFileStore(databaseDir).equals(staticStore)) {
                otherDisk = databaseDir;
                databaseMinFree = minFreeMb != null ? minFreeMb * MB
                        : DiskQuota.defaultMinFree(Files.getFileStore(databaseDir).getTotalSpace());
            }
            return new DiskQuota(maxStagedMb == null ? null : maxStagedMb * MB, minFree, otherDisk, databaseMinFree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
