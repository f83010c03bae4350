package dev.stagehand.queue;

import static dev.stagehand.db.types.AttemptOutcome.ABANDONED;
import static dev.stagehand.db.types.AttemptOutcome.CANCELLED;
import static dev.stagehand.db.types.AttemptOutcome.FAILED;
import static dev.stagehand.db.types.AttemptOutcome.INTERRUPTED;
import static dev.stagehand.db.types.AttemptOutcome.RETRY;
import static dev.stagehand.db.types.AttemptOutcome.RUNNING;
import static dev.stagehand.db.types.AttemptOutcome.SUCCEEDED;

import dev.stagehand.db.types.AttemptOutcome;
import java.util.EnumSet;
import java.util.Set;

/** The allowed moves of an attempt's outcome: it ends once, from RUNNING, in one of these ways. */
enum AttemptTransition implements Move<AttemptOutcome> {
    SUCCEED(SUCCEEDED),
    RETRY_LATER(RETRY),
    FAIL(FAILED),
    CANCEL(CANCELLED),
    /** Its node died (found by another node's reconciliation). */
    ABANDON(ABANDONED),
    /** Its node stopped gracefully and handed the job back. */
    INTERRUPT(INTERRUPTED);

    final AttemptOutcome to;
    final Set<AttemptOutcome> from = EnumSet.of(RUNNING);

    AttemptTransition(AttemptOutcome to) {
        this.to = to;
    }

    @Override
    public AttemptOutcome to() {
        return to;
    }

    @Override
    public Set<AttemptOutcome> from() {
        return from;
    }

    static boolean allowed(AttemptOutcome from, AttemptOutcome to) {
        return Move.allowed(values(), from, to);
    }
}
