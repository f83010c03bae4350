package dev.stagehand.cli;

import dev.stagehand.common.Sizes;

/** Sizes, progress and durations as people read them (the status page writes them the same way). */
final class Units {
    private Units() {}

    /** "1.0 MiB of 3.0 MiB (33%)"; the total may be unknown (null) while a download starts. */
    static String progress(long done, Long total) {
        if (total == null) {
            return Sizes.of(done) + " of ?";
        }
        return Sizes.of(done) + " of " + Sizes.of(total) + (total > 0 ? " (" + 100 * done / total + "%)" : "");
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
