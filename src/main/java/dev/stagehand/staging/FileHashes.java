package dev.stagehand.staging;

import dev.stagehand.archive.ObjectInfo;

/**
 * The archive's checksums of an object that was copied into a build as it is, base64 as GCS
 * reports them; either may be null when the store gave none. Kept in the artifact's marker, so
 * the hashes served with a file are always those of the bytes on disk, whatever the archive
 * holds by now.
 */
public record FileHashes(String crc32cBase64, String md5Base64) {
    public static final FileHashes NONE = new FileHashes(null, null);

    /** The checksums the archive gives for an object. */
    static FileHashes of(ObjectInfo info) {
        return new FileHashes(info.crc32cBase64(), info.md5Base64());
    }
}
