package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagehand.common.Sizes;

/** A job of the JSON API in words: what the progress lines and the status table print. */
final class JobText {
    private JobText() {}

    /** Bytes done of total, or "" before the first byte of a job of unknown size. */
    static String progress(JsonNode job) {
        long done = job.path("bytes_done").asLong();
        if (!job.hasNonNull("bytes_total") && done == 0) {
            return "";
        }
        return Units.progress(done, job.hasNonNull("bytes_total") ? job.get("bytes_total").asLong() : null);
    }

    static String rate(JsonNode job) {
        return job.hasNonNull("bytes_per_second") ? Sizes.of(job.get("bytes_per_second").asLong()) + "/s" : "";
    }

    static String eta(JsonNode job) {
        return job.hasNonNull("eta_seconds") ? Units.duration(job.get("eta_seconds").asLong()) : "";
    }
}
