package dev.stagehand.staging.transfer;

/**
 * Where byte-level staging code reports how far it got. The caller behind it may stop the work
 * by throwing from {@link #bytes} (a cancelled job, a server shutting down).
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    /** {@code total} is null while unknown (extracting a stream). */
    void bytes(long done, Long total);
}
