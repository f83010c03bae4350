package dev.stagehand.queue;

import java.util.List;

/** What {@link JobQueue#submit} recorded: the request, its build, and the job each artifact attached to. */
public record Submission(long requestId, long buildId, List<Item> items) {
    public record Item(long jobId, String artifact, boolean required) {}

    public List<Long> requiredJobIds() {
        return items.stream().filter(Item::required).map(Item::jobId).distinct().toList();
    }

    public List<Long> jobIds() {
        return items.stream().map(Item::jobId).distinct().toList();
    }
}
