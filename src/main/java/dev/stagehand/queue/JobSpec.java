package dev.stagehand.queue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One job a request asks for: its key (opaque to the queue), whether the caller waits, its upload deadline. */
public record JobSpec(String artifact, boolean required, Instant waitDeadline) {

    /** One spec per artifact, in first-seen order; required wins over optional. */
    static List<JobSpec> merged(List<JobSpec> specs) {
        Map<String, JobSpec> byArtifact = new LinkedHashMap<>();
        for (JobSpec spec : specs) {
            byArtifact.merge(spec.artifact(), spec, (a, b) -> a.required() ? a : b);
        }
        return List.copyOf(byArtifact.values());
    }
}
