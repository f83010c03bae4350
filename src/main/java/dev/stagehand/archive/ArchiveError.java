package dev.stagehand.archive;

import java.io.IOException;

/**
 * An archive could not be read, said as a sentence a person can act on. {@code permanent} when no
 * retry can help (bucket missing, access denied); otherwise the next attempt may succeed.
 */
public final class ArchiveError extends IOException {
    private final boolean permanent;

    ArchiveError(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }
}
