package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.db.types.RequestOutcome;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/** The other lifecycles' tables, each against its state machine written out by hand (as JobTransitionTest does for jobs). */
class LifecycleTablesTest {
    private static <S extends Enum<S>> List<String> wrong(S[] states, Map<S, Set<S>> expected, BiPredicate<S, S> allowed) {
        List<String> wrong = new ArrayList<>();
        for (S from : states) {
            for (S to : states) {
                if (allowed.test(from, to) != expected.get(from).contains(to)) {
                    wrong.add(from + " -> " + to + (allowed.test(from, to) ? " allowed" : " refused"));
                }
            }
        }
        return wrong;
    }

    @Test
    void aBuildLeavesReadyToBeEvictedOrCleanedAndComesBack() {
        Map<BuildState, Set<BuildState>> expected = Map.of(
                BuildState.READY, EnumSet.of(BuildState.EVICTING, BuildState.CLEANING),
                BuildState.EVICTING, EnumSet.of(BuildState.READY),
                BuildState.CLEANING, EnumSet.of(BuildState.READY));
        assertEquals(List.of(), wrong(BuildState.values(), expected, BuildTransition::allowed));
    }

    @Test
    void aRequestIsSettledOnceOutOfPending() {
        Map<RequestOutcome, Set<RequestOutcome>> expected = Map.of(
                RequestOutcome.PENDING, EnumSet.of(RequestOutcome.SUCCEEDED, RequestOutcome.FAILED),
                RequestOutcome.SUCCEEDED, EnumSet.noneOf(RequestOutcome.class),
                RequestOutcome.FAILED, EnumSet.noneOf(RequestOutcome.class));
        assertEquals(List.of(), wrong(RequestOutcome.values(), expected, RequestTransition::allowed));
    }

    @Test
    void anAttemptEndsOnceFromRunning() {
        Map<AttemptOutcome, Set<AttemptOutcome>> expected = new java.util.EnumMap<>(AttemptOutcome.class);
        for (AttemptOutcome o : AttemptOutcome.values()) {
            expected.put(o, EnumSet.noneOf(AttemptOutcome.class));
        }
        expected.put(AttemptOutcome.RUNNING, EnumSet.complementOf(EnumSet.of(AttemptOutcome.RUNNING)));
        assertEquals(List.of(), wrong(AttemptOutcome.values(), expected, AttemptTransition::allowed));
    }
}
