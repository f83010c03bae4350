package dev.stagehand.db.types;

/**
 * Whether a build's directory may change, as {@code build.state} stores it. Jobs of a build are
 * claimed, and staged artifacts trusted, only while it is READY; eviction and clean move it out
 * of READY (guarded) before deleting anything, and back when done.
 */
public enum BuildState {
    READY,
    /** Being deleted to make room for other builds. */
    EVICTING,
    /** Being deleted because a caller asked for {@code clean=True}. */
    CLEANING
}
