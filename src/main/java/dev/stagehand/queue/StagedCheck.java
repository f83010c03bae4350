package dev.stagehand.queue;

/** Asks the staging layer whether a succeeded artifact is still on disk (so no new job is needed). */
@FunctionalInterface
public interface StagedCheck {
    boolean stillStaged(long buildId, String artifact);

    StagedCheck NEVER = (buildId, artifact) -> false;
}
