package dev.stagehand.staging;

/** Why staging an artifact failed, in staging's terms; {@link StagingHandler} translates it for the queue. */
class StagingFailure extends Exception {
    enum Kind {
        /** No retry can fix it: corrupt or hostile archive, artifact missing after its deadline. */
        PERMANENT,
        /** Our own disk is full: worth a retry once space is freed, and said as such. */
        NO_SPACE
    }

    private final Kind kind;

    StagingFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    StagingFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    static StagingFailure permanent(String message) {
        return new StagingFailure(Kind.PERMANENT, message);
    }
}
