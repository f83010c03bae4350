package dev.stagehand.staging;

import java.io.IOException;

/** Tells errors of our own disk apart from a bad archive or a broken connection. */
final class DiskErrors {
    private DiskErrors() {}

    /** Whether {@code e}, or anything that caused it, is "No space left on device" (ENOSPC) or a quota error. */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof IOException && message != null
                    && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    static StagingFailure noSpace(String what, Throwable e) {
        return new StagingFailure(StagingFailure.Kind.NO_SPACE, "no space left on the staging disk while " + what, e);
    }
}
