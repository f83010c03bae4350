/**
 * Where builds come from: gs:// buckets through the GCS Java client and file:// directories under
 * the allowed roots, behind one small ArchiveSource interface. Errors come out as sentences
 * (ArchiveError), permanent or worth a retry.
 */
package dev.stagehand.archive;
