/**
 * Moving bytes: one object from an archive to a partial file, on one stream or sliced over
 * several, resumable and verified (CRC32C or MD5), ranged and read-ahead channels for archives
 * read in place, and pooled direct buffers. Nothing here knows about builds, jobs or the disk quota.
 */
package dev.stagehand.staging.transfer;
