package dev.stagehand.staging;

import dev.stagehand.db.ArchiveIndexes;
import dev.stagehand.staging.transfer.DownloadSettings;

/**
 * Where and how a job's bytes go: the static dir's layout, the disk space it may take, how
 * objects are fetched, where files still landing are announced to readers, and what an archive
 * may unpack to, and the member indexes of archives read for one member.
 */
public record StagingDisk(StagingArea area, DiskSpace space, DownloadSettings download, LandingFiles landing,
        ArchiveLimits limits, ArchiveIndexes indexes) {}
