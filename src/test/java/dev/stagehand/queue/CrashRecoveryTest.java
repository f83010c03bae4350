package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class CrashRecoveryTest {
    @TempDir Path dir;

    /** Fired by Quartz, or started as its request committed (no trigger: only its row survives the kill). */
    @ParameterizedTest
    @ValueSource(strings = {"fired", "at-once"})
    void aJobInterruptedBySigkillRunsAgainAfterRestartAndSucceeds(String start) throws Exception {
        Process worker = ChildJvm.start(SlowWorkerMain.class, dir.resolve("worker.log"), List.of(), dir.toString(), start);
        try {
            Eventually.await(Duration.ofSeconds(60), "the job to start in the worker process",
                    () -> Files.exists(dir.resolve("started")) && Files.exists(dir.resolve("submitted")));
        } finally {
            ChildJvm.kill(worker);
        }
        // ids as the worker saw them: a queue started first skipped those its warm-up drew
        long jobId = Long.parseLong(Files.readString(dir.resolve("started")));
        long requestId = Long.parseLong(Files.readString(dir.resolve("submitted")));
        AtomicInteger executions = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> executions.incrementAndGet(), QueueFixture.fastRetry(3))) {
            assertEquals(JobState.RUNNING, f.db.dsl().fetchValue(JOB.STATE, JOB.ID.eq(jobId)), "the dead worker left it running");
            int quartzRows = f.quartzRows("QRTZ_TRIGGERS", jobId) + f.quartzRows("QRTZ_FIRED_TRIGGERS", jobId);
            assertEquals(start.equals("at-once") ? 0 : 2, quartzRows, "Quartz knows only of the job it fired (its trigger, fired)");
            f.queue.start();
            f.queue.awaitRequest(requestId).get(60, TimeUnit.SECONDS);
            JobView job = f.job(jobId);
            assertEquals(JobState.SUCCEEDED, job.state());
            assertEquals(1, executions.get(), "ran exactly once after the restart");
            assertEquals(1, f.db.dsl().fetchCount(JOB), "no duplicate job");
            assertEquals(1, f.db.dsl().fetchCount(STAGE_REQUEST), "no duplicate request");
            assertEquals(List.of(AttemptOutcome.ABANDONED, AttemptOutcome.SUCCEEDED), f.db.dsl().select(JOB_ATTEMPT.OUTCOME).from(JOB_ATTEMPT)
                    .where(JOB_ATTEMPT.JOB_ID.eq(jobId)).orderBy(JOB_ATTEMPT.ATTEMPT_NO).fetch(JOB_ATTEMPT.OUTCOME));
            Eventually.await(Duration.ofSeconds(30), "every trigger of the job (Quartz's recovery, reconciliation) to fire",
                    () -> {
                        try {
                            return !f.queue.workers().hasTrigger(jobId);
                        } catch (org.quartz.SchedulerException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            assertEquals(1, executions.get(), "Quartz recovery and reconciliation did not run it twice");
        }
    }

    /**
     * A job waiting for the only worker when the process dies: in memory alone on an embedded
     * database (no trigger), with a trigger on a shared one. Either way it runs exactly once
     * after the restart, beside the job that was running.
     */
    @Test
    void aJobWaitingForAWorkerWhenKilledRunsOnceAfterRestart() throws Exception {
        Process worker = ChildJvm.start(SlowWorkerMain.class, dir.resolve("worker.log"), List.of(), dir.toString(), "lined");
        try {
            Eventually.await(Duration.ofSeconds(60), "the first job to run and the second to be queued",
                    () -> Files.exists(dir.resolve("submitted")));
        } finally {
            ChildJvm.kill(worker);
        }
        long running = Long.parseLong(Files.readString(dir.resolve("started")));
        long linedJob = Long.parseLong(Files.readString(dir.resolve("lined-job")));
        long linedRequest = Long.parseLong(Files.readString(dir.resolve("lined-submitted")));
        java.util.Map<Long, AtomicInteger> executions = new java.util.concurrent.ConcurrentHashMap<>();
        try (QueueFixture f = new QueueFixture(dir, run -> executions.computeIfAbsent(run.jobId(), id -> new AtomicInteger()).incrementAndGet(),
                QueueFixture.fastRetry(3))) {
            assertEquals(JobState.QUEUED, f.db.dsl().fetchValue(JOB.STATE, JOB.ID.eq(linedJob)), "it never started");
            if (!f.db.vendor().clustered()) {
                assertEquals(0, f.quartzRows("QRTZ_TRIGGERS", linedJob) + f.quartzRows("QRTZ_FIRED_TRIGGERS", linedJob),
                        "alone on an embedded database it waited in memory, without a trigger");
            }
            f.queue.start();
            f.queue.awaitRequest(linedRequest).get(60, TimeUnit.SECONDS);
            Eventually.await(Duration.ofSeconds(30), "the job that was running to run again", () -> executions.containsKey(running));
            assertEquals(JobState.SUCCEEDED, f.job(linedJob).state());
            assertEquals(List.of(AttemptOutcome.SUCCEEDED), f.db.dsl().select(JOB_ATTEMPT.OUTCOME).from(JOB_ATTEMPT)
                    .where(JOB_ATTEMPT.JOB_ID.eq(linedJob)).fetch(JOB_ATTEMPT.OUTCOME), "one attempt, after the restart");
            Eventually.await(Duration.ofSeconds(30), "every trigger of both jobs to fire", () -> {
                try {
                    return !f.queue.workers().hasTrigger(linedJob) && !f.queue.workers().hasTrigger(running);
                } catch (org.quartz.SchedulerException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(1, executions.get(linedJob).get(), "the waiting job ran exactly once");
            assertEquals(1, executions.get(running).get(), "the running job ran exactly once more");
        }
    }
}
