package dev.stagehand.queue;

/**
 * A node's hold on a running job: the node that claimed it and the attempt number it got. Every
 * write an attempt makes is guarded by both, so a node whose job was taken over (it stopped
 * checking in and another node re-queued the job) can no longer change it: it is fenced off.
 */
record Claim(long jobId, String node, int attempt) {}
