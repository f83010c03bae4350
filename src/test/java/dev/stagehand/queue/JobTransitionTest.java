package dev.stagehand.queue;

import static dev.stagehand.db.types.JobState.CANCELLED;
import static dev.stagehand.db.types.JobState.FAILED;
import static dev.stagehand.db.types.JobState.QUEUED;
import static dev.stagehand.db.types.JobState.RETRY_WAIT;
import static dev.stagehand.db.types.JobState.RUNNING;
import static dev.stagehand.db.types.JobState.SUCCEEDED;
import static dev.stagehand.db.types.JobState.WAITING_UPLOAD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.stagehand.db.types.JobState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every pair of states, against the state machine written out by hand (as JobRunr tests its table). */
class JobTransitionTest {
    private static final Map<JobState, Set<JobState>> EXPECTED = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(SUCCEEDED, FAILED, RETRY_WAIT, WAITING_UPLOAD, QUEUED, CANCELLED),
            RETRY_WAIT, EnumSet.of(RUNNING, CANCELLED),
            WAITING_UPLOAD, EnumSet.of(QUEUED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(JobState.class),
            FAILED, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.noneOf(JobState.class));

    @Test
    void everyPairOfStatesIsAllowedExactlyWhenTheStateMachineSaysSo() {
        List<String> wrong = new ArrayList<>();
        for (JobState from : JobState.values()) {
            for (JobState to : JobState.values()) {
                if (JobTransition.allowed(from, to) != EXPECTED.get(from).contains(to)) {
                    wrong.add(from + " -> " + to + (JobTransition.allowed(from, to) ? " allowed" : " refused"));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void finishedJobsNeverMoveAgainExceptAnOperatorRetryOfAFailure() {
        for (JobState to : JobState.values()) {
            assertFalse(JobTransition.allowed(SUCCEEDED, to), "SUCCEEDED -> " + to);
            assertFalse(JobTransition.allowed(CANCELLED, to), "CANCELLED -> " + to);
        }
        assertEquals(Set.of(JobTransition.OPERATOR_RETRY),
                EnumSet.copyOf(List.of(JobTransition.values()).stream().filter(t -> t.from.contains(FAILED)).toList()));
    }

    @Test
    void theGroupsOfStatesAreReadOffTheTable() {
        assertEquals(EnumSet.of(QUEUED, RUNNING, RETRY_WAIT, WAITING_UPLOAD), JobStates.ACTIVE, "active: what a cancel ends");
        assertEquals(EnumSet.of(QUEUED, RETRY_WAIT), JobStates.RUNNABLE, "runnable: what a worker claims, with a trigger");
    }

    @Test
    void finishAndParkTakeOnlyTheirOwnMoves() {
        assertEquals(List.of(JobTransition.SUCCEED, JobTransition.FAIL),
                List.of(JobTransition.Ending.values()).stream().map(e -> e.move).toList());
        assertEquals(List.of(JobTransition.RETRY_LATER, JobTransition.AWAIT_UPLOAD),
                List.of(JobTransition.Parking.values()).stream().map(p -> p.move).toList());
    }
}
