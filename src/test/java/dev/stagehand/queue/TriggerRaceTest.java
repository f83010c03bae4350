package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.db.Database;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry's trigger added while Quartz deletes the job's last fired trigger (and with it the
 * job, which Quartz keeps only while it has triggers): the new trigger must never be left
 * without its job. On H2, which does not hold the foreign key against a concurrent delete, it
 * was, and Quartz then failed every trigger acquisition, so that node fired nothing more.
 */
@Tag("integration")
class TriggerRaceTest {
    static final int JOBS = 150;

    @TempDir Path dir;

    @Test
    void aTriggerAddedAsQuartzDeletesTheJobsFiredOneStillFires() throws Exception {
        Map<Long, AtomicInteger> fired = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        ExecutorService retries = Executors.newFixedThreadPool(4);
        AtomicReference<QuartzWorkers> workers = new AtomicReference<>();
        Clock clock = Clock.systemUTC();
        // As when a job's first attempt ran at once and asks for a retry just as its crash-safety
        // trigger fires and finds nothing to do: the retry's trigger is added while Quartz
        // completes the fired one, the job's last.
        QuartzWorkers.Attempt attempt = (jobId, required) -> {
            if (fired.computeIfAbsent(jobId, id -> new AtomicInteger()).incrementAndGet() == 1) {
                retries.execute(() -> {
                    try {
                        workers.get().schedule(jobId, true, clock.instant().plusMillis(50));
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                });
            }
        };
        try (Database db = TestDb.open(dir)) {
            workers.set(new QuartzWorkers(db, 4, "race", Placement.SHARED, attempt, clock));
            try {
                workers.get().start();
                for (long job = 1; job <= JOBS; job++) {
                    workers.get().schedule(job, true, clock.instant());
                }
                try {
                    Eventually.await(Duration.ofSeconds(60), "every job's retry to fire",
                            () -> fired.size() == JOBS && fired.values().stream().allMatch(n -> n.get() >= 2));
                } catch (AssertionError late) {
                    long again = fired.values().stream().filter(n -> n.get() >= 2).count();
                    throw new AssertionError(late.getMessage() + ": of " + JOBS + " jobs, " + fired.size() + " fired and " + again
                            + " fired again; scheduling failed: " + failures.stream().limit(3).toList(), late);
                }
                assertEquals(0, db.dsl().fetchCount(db.dsl().selectFrom("QRTZ_TRIGGERS t").where("NOT EXISTS (SELECT 1 FROM"
                        + " QRTZ_JOB_DETAILS j WHERE j.SCHED_NAME = t.SCHED_NAME AND j.JOB_NAME = t.JOB_NAME AND j.JOB_GROUP = t.JOB_GROUP)")),
                        "no trigger without its job");
            } finally {
                retries.shutdownNow();
                workers.get().shutdown();
            }
        }
    }
}
