package dev.stagehand.queue;

import java.util.List;

/**
 * What {@link JobQueue#submit} recorded: the request, its build, the job each artifact attached
 * to, and whether this request created any of them (else it joined jobs already there: a cache
 * "joined" rather than a "miss").
 */
public record Submission(long requestId, long buildId, List<Item> items, boolean createdJobs) {
    public record Item(long jobId, String artifact, boolean required) {}

    public List<Long> requiredJobIds() {
        return items.stream().filter(Item::required).map(Item::jobId).distinct().toList();
    }

    public List<Long> jobIds() {
        return items.stream().map(Item::jobId).distinct().toList();
    }
}
