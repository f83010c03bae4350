package dev.stagehand.queue;

import static dev.stagehand.db.types.RequestOutcome.FAILED;
import static dev.stagehand.db.types.RequestOutcome.PENDING;
import static dev.stagehand.db.types.RequestOutcome.SUCCEEDED;

import dev.stagehand.db.types.RequestOutcome;
import java.util.EnumSet;
import java.util.Set;

/** The allowed moves of a request's outcome: once, out of PENDING, when its required jobs have all ended. */
enum RequestTransition implements Move<RequestOutcome> {
    SUCCEED(SUCCEEDED),
    FAIL(FAILED);

    final RequestOutcome to;
    final Set<RequestOutcome> from = EnumSet.of(PENDING);

    RequestTransition(RequestOutcome to) {
        this.to = to;
    }

    @Override
    public RequestOutcome to() {
        return to;
    }

    @Override
    public Set<RequestOutcome> from() {
        return from;
    }

    static boolean allowed(RequestOutcome from, RequestOutcome to) {
        return Move.allowed(values(), from, to);
    }
}
