package dev.stagehand.staging;

/**
 * What was asked can only be done on another node (hashed placement): the one holding the build's
 * copy, reached at {@code holder} (its advertise URL). The HTTP layer sends the caller there.
 */
public final class HeldElsewhere extends RuntimeException {
    private final String holder;

    public HeldElsewhere(String holder) {
        super("held by " + holder, null, false, false);
        this.holder = holder;
    }

    /** The advertise URL of the node to ask. */
    public String holder() {
        return holder;
    }
}
