package dev.stagehand.archive;

/**
 * What the archive says about one object. Checksums are base64 as GCS reports them and may be
 * null when the store does not provide them; the generation changes whenever the object does.
 */
public record ObjectInfo(String name, long size, String md5Base64, String crc32cBase64, long generation) {}
