package dev.stagehand.staging;

/**
 * What one archive may unpack to, whatever its headers claim: at most {@code maxMembers} entries
 * ({@code --max-archive-members}), at most {@code maxExpansionRatio} times its own size once past
 * {@link Unpacker#RATIO_FLOOR} ({@code --max-expansion-ratio}, 0: no ratio), and at most
 * {@code maxUnpackedBytes} per artifact ({@code --max-unpacked-mb}). Real build archives stay far
 * inside them; archive bombs do not.
 */
public record ArchiveLimits(int maxMembers, int maxExpansionRatio, long maxUnpackedBytes) {
    public static final int DEFAULT_MAX_MEMBERS = 100_000;
    public static final int DEFAULT_MAX_EXPANSION_RATIO = 100;
    public static final long DEFAULT_MAX_UNPACKED_MB = 64L << 10;

    public ArchiveLimits {
        if (maxMembers < 1 || maxExpansionRatio < 0 || maxUnpackedBytes < 1) {
            throw new IllegalArgumentException("--max-archive-members and --max-unpacked-mb must be at least 1,"
                    + " --max-expansion-ratio at least 0");
        }
    }
}
