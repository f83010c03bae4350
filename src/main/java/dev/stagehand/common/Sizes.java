package dev.stagehand.common;

import java.util.Locale;

/** Byte counts as people read them (messages, the command-line client): 512 B, 3.4 MiB, 1.2 GiB. */
public final class Sizes {
    private Sizes() {}

    public static String of(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
