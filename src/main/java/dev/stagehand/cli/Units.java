package dev.stagehand.cli;

import java.util.Locale;

/** Sizes, progress and durations as people read them (the status page writes them the same way). */
final class Units {
    private Units() {}

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** "1.0 MiB of 3.0 MiB (33%)"; the total may be unknown (null) while a download starts. */
    static String progress(long done, Long total) {
        if (total == null) {
            return bytes(done) + " of ?";
        }
        return bytes(done) + " of " + bytes(total) + (total > 0 ? " (" + 100 * done / total + "%)" : "");
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
