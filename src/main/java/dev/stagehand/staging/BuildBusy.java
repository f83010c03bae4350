package dev.stagehand.staging;

/** clean=True was asked while a job of that build is running (HTTP 409); nothing was removed. */
public final class BuildBusy extends IllegalStateException {
    public BuildBusy(String message) {
        super(message);
    }
}
