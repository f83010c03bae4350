/**
 * What a job does: the catalogue of artifacts, staging one artifact (pick the alternative, fetch,
 * verify, unpack into a work dir, install, marker last), the static dir's layout, disk space and
 * eviction, hostile-archive rules, and the stage service the HTTP layer calls. StagingHandler is
 * where it meets the queue.
 */
package dev.stagehand.staging;
