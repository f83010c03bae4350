package dev.stagehand.staging;

/** An archive entry that would write outside the build directory, or a device file: never retried. */
final class HostileArchive extends StagingFailure {
    HostileArchive(String archive, String entry, String why) {
        super(Kind.PERMANENT, "hostile archive " + archive + ": entry '" + entry + "' " + why + "; nothing was installed");
    }
}
