package dev.stagehand.api;

/** A request refused before it does anything (403, 401, 415, 429): its status, error code and one line. */
final class CallerRefused extends RuntimeException {
    final int status;
    final String code;

    CallerRefused(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
