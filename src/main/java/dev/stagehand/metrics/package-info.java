/**
 * Micrometer binders beside the core: the queue, the disk, host load. They read the ledger and
 * the disk; the core never calls them.
 */
package dev.stagehand.metrics;
