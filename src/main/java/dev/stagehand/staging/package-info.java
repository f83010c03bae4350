/**
 * What a job does: the catalogue of artifacts, staging one artifact (pick the alternative, fetch,
 * verify, unpack into a work dir, install, marker last), the static dir's layout, disk space and
 * eviction (EvictionPolicy decides), hostile-archive rules, and what the HTTP layer calls: a
 * caller's request checked (StageRequests), made durable (StageService), and a build's files
 * found (BuildFiles). StagingHandler is where jobs meet the queue; build copies and the disk's
 * account are read and changed only through the queue's BuildLedger.
 */
package dev.stagehand.staging;
