package dev.stagehand;

import dev.stagehand.archive.ArchiveSources.GcsSettings;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.staging.ArchiveLimits;
import dev.stagehand.staging.DiskLimits;
import dev.stagehand.staging.StageService.UploadWait;
import dev.stagehand.staging.transfer.DownloadSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the server is configured with (the CLI fills it from flags, environment and a config
 * file). Secrets are not here, only the files that hold them, so that printing the settings
 * prints no secret.
 */
public record Settings(
        String host,
        int port,
        Path staticDir,
        String dbUrl,
        Path dbPasswordFile,
        QueueConfig queue,
        List<Path> localArchiveRoots,
        GcsSettings gcs,
        UploadWait uploadWait,
        Path catalogueFile,
        DiskLimits disk,
        DownloadSettings download,
        ArchiveLimits archive,
        Access access) {

    /** Who may call what: the file holding the admin token ({@code --admin-token-file}; null: no token needed). */
    public record Access(Path adminTokenFile) {
        public static final Access OPEN = new Access(null);
    }

    /** The database password from {@link #dbPasswordFile}, or null when the URL carries it (or needs none). */
    public String dbPassword() throws java.io.IOException {
        return dbPasswordFile == null ? null : java.nio.file.Files.readString(dbPasswordFile).strip();
    }

    public Settings withDatabase(String url, Path passwordFile) {
        return new Settings(host, port, staticDir, url, passwordFile, queue, localArchiveRoots, gcs, uploadWait, catalogueFile, disk, download, archive, access);
    }

    public Settings withQueue(QueueConfig q) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, q, localArchiveRoots, gcs, uploadWait, catalogueFile, disk, download, archive, access);
    }

    public Settings withGcs(GcsSettings g) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, g, uploadWait, catalogueFile, disk, download, archive, access);
    }

    public Settings withCatalogue(Path file) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, gcs, uploadWait, file, disk, download, archive, access);
    }

    public Settings withDisk(DiskLimits d) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, gcs, uploadWait, catalogueFile, d, download, archive, access);
    }

    public Settings withDownload(DownloadSettings d) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, gcs, uploadWait, catalogueFile, disk, d, archive, access);
    }

    public Settings withArchive(ArchiveLimits a) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, gcs, uploadWait, catalogueFile, disk, download, a, access);
    }

    public Settings withAccess(Access a) {
        return new Settings(host, port, staticDir, dbUrl, dbPasswordFile, queue, localArchiveRoots, gcs, uploadWait, catalogueFile, disk, download, archive, a);
    }
}
