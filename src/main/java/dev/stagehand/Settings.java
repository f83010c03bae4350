package dev.stagehand;

import dev.stagehand.archive.ArchiveSources.GcsSettings;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.staging.DiskLimits;
import dev.stagehand.staging.DownloadSettings;
import dev.stagehand.staging.StageService.UploadWait;
import java.nio.file.Path;
import java.util.List;

/** Everything the server is configured with (the CLI fills it from flags, environment and a config file). */
public record Settings(
        String host,
        int port,
        Path staticDir,
        String dbUrl,
        QueueConfig queue,
        List<Path> localArchiveRoots,
        GcsSettings gcs,
        UploadWait uploadWait,
        Path catalogueFile,
        DiskLimits disk,
        DownloadSettings download) {}
