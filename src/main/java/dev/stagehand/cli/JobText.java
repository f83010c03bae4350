package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagehand.common.Sizes;

/**
 * A job of the JSON API in words: what the progress lines and the status table print (the status
 * page writes them the same way).
 */
final class JobText {
    private JobText() {}

    /** "1.0 MiB of 3.0 MiB (33%)", "1.0 MiB of ?" while the size is unknown, "" before the first byte of such a job. */
    static String progress(JsonNode job) {
        long done = job.path("bytes_done").asLong();
        if (!job.hasNonNull("bytes_total")) {
            return done == 0 ? "" : Sizes.of(done) + " of ?";
        }
        long total = job.get("bytes_total").asLong();
        return Sizes.of(done) + " of " + Sizes.of(total) + (total > 0 ? " (" + 100 * done / total + "%)" : "");
    }

    static String rate(JsonNode job) {
        return job.hasNonNull("bytes_per_second") ? Sizes.of(job.get("bytes_per_second").asLong()) + "/s" : "";
    }

    /** Time left: "42 s", "3 min 5 s", "2 h 10 min". */
    static String eta(JsonNode job) {
        if (!job.hasNonNull("eta_seconds")) {
            return "";
        }
        long seconds = job.get("eta_seconds").asLong();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
