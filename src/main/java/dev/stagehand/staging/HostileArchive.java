package dev.stagehand.staging;

import dev.stagehand.common.CallerText;

/** An archive entry that would reach outside the build directory, or a device file: never retried. */
final class HostileArchive extends StagingFailure {
    HostileArchive(String archive, String entry, String why) {
        super(Kind.PERMANENT, "hostile archive " + archive + ": entry " + CallerText.quote(entry) + " " + why + "; nothing was installed");
    }
}
