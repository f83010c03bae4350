package dev.stagehand.staging;

import dev.stagehand.queue.PermanentFailure;

/** An archive entry that would write outside the build directory, or a device file: never retried. */
final class HostileArchive extends PermanentFailure {
    HostileArchive(String archive, String entry, String why) {
        super("hostile archive " + archive + ": entry '" + entry + "' " + why + "; nothing was installed");
    }
}
