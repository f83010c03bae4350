package dev.stagehand.queue;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.db.types.JobState;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.MutableClock;
import dev.stagehand.testing.Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand jobs waiting for their uploads, driven by the clock: each build is looked at in the
 * archive once per interval for all its jobs, no waiting job has a trigger, and nothing is
 * written while nothing changes; when the files arrive, the next look starts their jobs.
 */
@Tag("integration")
class UploadWatchTest {
    static final String BUCKET = "bkt";
    static final int BUILDS = 10;
    static final int FILES = 100;

    @TempDir Path dir;

    @Test
    void waitingJobsCostOneLookPerBuildPerIntervalAndNoWrites() throws Exception {
        MutableClock clock = new MutableClock();
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(Server.settings(dir, gcs), clock)) {
            gcs.createBucket(BUCKET);
            String files = IntStream.range(0, FILES).mapToObj(i -> "f" + i).collect(Collectors.joining(","));
            for (int b = 0; b < BUILDS; b++) {
                assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/R" + b + "&files=" + files
                        + "&async=True&wait_for_upload_s=600").body());
            }
            JobQueue queue = server.stagehand.queue();
            var db = server.stagehand.database().dsl();
            Eventually.await(Duration.ofSeconds(120), "every job to have been checked once and to wait",
                    () -> db.fetchCount(dev.stagehand.db.schema.Tables.JOB,
                            dev.stagehand.db.schema.Tables.JOB.STATE.eq(JobState.WAITING_UPLOAD)) == BUILDS * FILES);
            clock.freeze();
            queue.watchUploads(); // every build is due once after the freeze
            Result<Record> before = jobRows(db);
            int listed = gcs.listRequests();
            for (int i = 0; i < 5; i++) {
                queue.watchUploads();
            }
            assertEquals(listed, gcs.listRequests(), "no build is looked at again before its interval");
            clock.advance(WatchUploads.MAX_CHECK);
            queue.watchUploads();
            assertEquals(listed + BUILDS, gcs.listRequests(), "one look per build, for all its jobs");
            assertEquals(before, jobRows(db), "nothing written while nothing changed");
            // A new job is started at once and keeps a trigger only for a crash; the triggers of jobs that
            // already wait fire, find nothing to claim and go: once they have, a waiting job holds none.
            Eventually.await(Duration.ofSeconds(30), "no trigger per waiting job",
                    () -> db.fetchCount(db.selectFrom("QRTZ_TRIGGERS").where("TRIGGER_GROUP = 'jobs'")) == 0);

            for (int i = 0; i < FILES; i++) {
                gcs.put(BUCKET, "t/R0/f" + i, random(10, i));
            }
            clock.advance(WatchUploads.MAX_CHECK);
            queue.watchUploads();
            Eventually.await(Duration.ofSeconds(60), "the uploaded build's jobs to stage", () -> server.jobs("SUCCEEDED", null).size() == FILES);
            assertEquals((BUILDS - 1) * FILES, db.fetchCount(dev.stagehand.db.schema.Tables.JOB,
                    dev.stagehand.db.schema.Tables.JOB.STATE.eq(JobState.WAITING_UPLOAD)), "the others still wait");
        }
    }

    /** A wait is told in the log once as it starts and once as it ends, however many looks it takes. */
    @Test
    void aWaitIsOneLineAsItStartsAndOneAsItEnds() throws Exception {
        ch.qos.logback.classic.Logger queueLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.stagehand.queue");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        queueLog.addAppender(lines);
        MutableClock clock = new MutableClock();
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(Server.settings(dir, gcs), clock)) {
            gcs.createBucket(BUCKET);
            assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/t/W&files=late.bin&async=True&wait_for_upload_s=600").body());
            Eventually.await(Duration.ofSeconds(30), "the job to wait", () -> server.jobs("WAITING_UPLOAD", null).size() == 1);
            long id = server.jobs("WAITING_UPLOAD", null).get(0).id();
            clock.freeze();
            for (int i = 0; i < 10; i++) { // ten looks that find nothing
                clock.advance(WatchUploads.MAX_CHECK);
                server.stagehand.queue().watchUploads();
            }
            gcs.put(BUCKET, "t/W/late.bin", random(10, 1));
            clock.advance(WatchUploads.MAX_CHECK);
            server.stagehand.queue().watchUploads();
            Eventually.await(Duration.ofSeconds(30), "the job to stage", () -> server.jobs("SUCCEEDED", null).size() == 1);
            Eventually.await(Duration.ofSeconds(10), "its end line", () -> said(lines, "attempt end: job " + id + " ") == 1);
            assertEquals(1, said(lines, "job " + id + " starts waiting"), "one line as it starts");
            assertEquals(1, said(lines, "job " + id + " ends waiting"), "one as it ends: " + told(lines, id));
            assertEquals(2, said(lines, "attempt start: job " + id + " "), "the look that found nothing, and the attempt that staged it");
        } finally {
            queueLog.detachAppender(lines);
        }
    }

    private static String told(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines, long id) {
        synchronized (lines) {
            return String.join("\n", lines.list.stream().map(e -> e.getFormattedMessage()).filter(m -> m.contains(" " + id + " ")).toList());
        }
    }

    private static long said(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines, String text) {
        synchronized (lines) { // the appender appends under its own lock
            return List.copyOf(lines.list).stream().filter(e -> e.getFormattedMessage().startsWith(text)).count();
        }
    }

    private static Result<Record> jobRows(org.jooq.DSLContext db) {
        return db.select(List.of(dev.stagehand.db.schema.Tables.JOB.fields())).from(dev.stagehand.db.schema.Tables.JOB)
                .orderBy(dev.stagehand.db.schema.Tables.JOB.ID).fetch();
    }

    @Test
    void theIntervalIsAQuarterOfTheWaitBetweenHalfASecondAndTenSeconds() {
        assertEquals(WatchUploads.FIRST_CHECK, WatchUploads.interval(Duration.ZERO));
        assertEquals(Duration.ofSeconds(2), WatchUploads.interval(Duration.ofSeconds(8)));
        assertEquals(WatchUploads.MAX_CHECK, WatchUploads.interval(Duration.ofMinutes(5)));
    }
}
