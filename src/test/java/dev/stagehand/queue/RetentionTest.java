package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.db.schema.Tables.NODE;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;
import static org.jooq.impl.DSL.generateSeries;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning 100,000 old ledger rows in small batches keeps the server answering, and keeps each latest success. */
@Tag("integration")
class RetentionTest {
    static final int OLD_JOBS = 100_000;
    static final int ARTIFACTS = 1_000;
    static final String URL = "gs://bkt/target/R1-1.0.0";

    @TempDir Path dir;

    @Test
    void pruningAHundredThousandOldRowsKeepsServingAndKeepsTheLatestSuccessOfEachArtifact() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            server.stagehand.queue().stopPeriodicPruning(); // on a loaded machine the test outlasts its first minute
            gcs.put("bkt", "target/R1-1.0.0/stateful.tgz", TestArchives.random(1000, 1));
            assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
            DSLContext db = server.stagehand.database().dsl();
            long buildId = server.jobs(null, URL).get(0).buildId();
            insertOldHistory(db, buildId, Instant.now().minus(40, ChronoUnit.DAYS));
            assertEquals(OLD_JOBS + 1, db.fetchCount(JOB));
            for (int daysAgo : new int[] {40, 1}) {
                Instant at = Instant.now().minus(daysAgo, ChronoUnit.DAYS);
                db.insertInto(NODE).set(NODE.ID, "run-" + daysAgo).set(NODE.HOST, "h").set(NODE.STARTED_AT, at)
                        .set(NODE.LAST_SEEN_AT, at).set(NODE.STOPPED_AT, at).execute();
            }

            CompletableFuture<PruneHistory.Pruned> pruning = CompletableFuture.supplyAsync(() -> server.stagehand.queue().pruneHistory());
            long slowestMs = 0;
            String slowest = "";
            int calls = 0;
            while (!pruning.isDone()) {
                for (String path : new String[] {"/check_health", "/is_staged?archive_url=" + URL + "&artifacts=stateful",
                        "/static/target/R1-1.0.0/stateful.tgz", "/api/v1/jobs?limit=10"}) {
                    long started = System.nanoTime();
                    assertEquals(200, server.get(path).statusCode(), path);
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    if (ms > slowestMs) {
                        slowestMs = ms;
                        slowest = path;
                    }
                    calls++;
                }
            }
            PruneHistory.Pruned pruned = pruning.get(5, TimeUnit.MINUTES);
            assertTrue(calls >= 8, "the server was called throughout the pruning: " + calls);
            assertTrue(slowestMs < 2000, "slowest answer while pruning: " + slowest + " in " + slowestMs + " ms");
            assertEquals(OLD_JOBS - ARTIFACTS, pruned.jobs(), "every old job but the latest success of each artifact");
            assertEquals(OLD_JOBS / 10, pruned.requests());
            assertEquals(1, pruned.nodes(), "the node stopped 40 days ago; the one stopped yesterday and this one stay");
            assertEquals(2, db.fetchCount(NODE));
            assertEquals(ARTIFACTS + 1, db.fetchCount(JOB));
            assertEquals(ARTIFACTS, db.fetchCount(JOB, JOB.STATE.eq(JobState.SUCCEEDED), JOB.ARTIFACT.startsWith("file:")));
            assertEquals(ARTIFACTS + 1, db.fetchCount(JOB_ATTEMPT));
            assertEquals("True", server.get("/is_staged?archive_url=" + URL + "&artifacts=stateful").body(),
                    "the recent job and what it staged are untouched");
            System.out.printf("pruned %s; slowest of %d answers while pruning: %s in %d ms%n", pruned, calls, slowest, slowestMs);
        }
    }

    /** 100,000 ended jobs 40 days old (every second one a success of one of 1,000 artifacts), one attempt each, and a request per ten. */
    private static void insertOldHistory(DSLContext db, long buildId, Instant old) {
        var series = generateSeries(1, OLD_JOBS).as("s", "n");
        Field<Integer> n = series.field("n", Integer.class);
        Field<JobState> state = when(n.mod(2).eq(0), val(JobState.SUCCEEDED, JOB.STATE)).otherwise(val(JobState.FAILED, JOB.STATE));
        db.insertInto(JOB, JOB.BUILD_ID, JOB.ARTIFACT, JOB.STATE, JOB.REQUIRED, JOB.ATTEMPTS, JOB.MAX_ATTEMPTS, JOB.BYTES_DONE,
                        JOB.CREATED_AT, JOB.STARTED_AT, JOB.FINISHED_AT)
                .select(select(val(buildId), inline("file:f").concat(n.div(2).mod(ARTIFACTS)), state, inline(true), inline(1), inline(3),
                        inline(0L), val(old), val(old), val(old)).from(series))
                .execute();
        db.insertInto(JOB_ATTEMPT, JOB_ATTEMPT.JOB_ID, JOB_ATTEMPT.ATTEMPT_NO, JOB_ATTEMPT.STARTED_AT, JOB_ATTEMPT.FINISHED_AT,
                        JOB_ATTEMPT.OUTCOME, JOB_ATTEMPT.WORKER)
                .select(select(JOB.ID, inline(1), val(old), val(old), val(AttemptOutcome.FAILED, JOB_ATTEMPT.OUTCOME), inline("old"))
                        .from(JOB).where(JOB.FINISHED_AT.eq(old)))
                .execute();
        db.insertInto(STAGE_REQUEST, STAGE_REQUEST.BUILD_ID, STAGE_REQUEST.ARTIFACTS, STAGE_REQUEST.FILES, STAGE_REQUEST.CREATED_AT,
                        STAGE_REQUEST.FINISHED_AT, STAGE_REQUEST.OUTCOME)
                .select(select(val(buildId), inline(""), inline("f").concat(n), val(old), val(old),
                        val(RequestOutcome.FAILED, STAGE_REQUEST.OUTCOME)).from(series).where(n.le(OLD_JOBS / 10)))
                .execute();
        // The k-th old request links the k-th old job: each insert above numbered its rows in one run,
        // but where each run starts depends on what the server wrote before.
        long firstJob = db.select(DSL.min(JOB.ID)).from(JOB).where(JOB.FINISHED_AT.eq(old)).fetchSingle().value1();
        long firstRequest = db.select(DSL.min(STAGE_REQUEST.ID)).from(STAGE_REQUEST).where(STAGE_REQUEST.FINISHED_AT.eq(old)).fetchSingle().value1();
        db.insertInto(REQUEST_JOB, REQUEST_JOB.REQUEST_ID, REQUEST_JOB.JOB_ID, REQUEST_JOB.REQUIRED)
                .select(select(STAGE_REQUEST.ID, STAGE_REQUEST.ID.plus(firstJob - firstRequest), inline(true)).from(STAGE_REQUEST)
                        .where(STAGE_REQUEST.FINISHED_AT.eq(old)))
                .execute();
    }
}
