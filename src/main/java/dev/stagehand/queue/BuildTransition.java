package dev.stagehand.queue;

import static dev.stagehand.db.types.BuildState.CLEANING;
import static dev.stagehand.db.types.BuildState.EVICTING;
import static dev.stagehand.db.types.BuildState.READY;

import dev.stagehand.db.types.BuildState;
import java.util.EnumSet;
import java.util.Set;

/** The allowed moves of a build's state: out of READY to be evicted or cleaned, and back when its files are gone. */
enum BuildTransition implements Move<BuildState> {
    BEGIN_EVICTION(EVICTING, READY),
    BEGIN_CLEAN(CLEANING, READY),
    END_REMOVAL(READY, EVICTING, CLEANING);

    final BuildState to;
    final Set<BuildState> from;

    BuildTransition(BuildState to, BuildState first, BuildState... more) {
        this.to = to;
        this.from = EnumSet.of(first, more);
    }

    @Override
    public BuildState to() {
        return to;
    }

    @Override
    public Set<BuildState> from() {
        return from;
    }

    static boolean allowed(BuildState from, BuildState to) {
        return Move.allowed(values(), from, to);
    }
}
