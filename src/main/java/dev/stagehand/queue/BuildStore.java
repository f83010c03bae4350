package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

/** Build rows: one per archive URL, with where it is staged and when it was last read. */
public final class BuildStore {
    private final DSLContext db;
    private final Clock clock;

    BuildStore(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private OffsetDateTime now() {
        return DbTime.now(clock);
    }

    /** The build row for an archive URL, created on first use. */
    public long id(String archiveUrl, String buildPath) {
        for (int i = 0; i < 3; i++) {
            Optional<Long> id = find(archiveUrl);
            if (id.isPresent()) {
                return id.get();
            }
            try {
                return db.insertInto(BUILD)
                        .set(BUILD.ARCHIVE_URL, archiveUrl)
                        .set(BUILD.BUILD_PATH, buildPath)
                        .set(BUILD.CREATED_AT, now())
                        .set(BUILD.LAST_ACCESS_AT, now())
                        .returning(BUILD.ID).fetchOne().getId();
            } catch (IntegrityConstraintViolationException raced) {
                // Another request created it a moment ago: read it on the next pass.
            }
        }
        throw new IllegalStateException("could not create build row for " + archiveUrl);
    }

    public Optional<Long> find(String archiveUrl) {
        return db.select(BUILD.ID).from(BUILD).where(BUILD.ARCHIVE_URL.eq(archiveUrl)).fetchOptional(BUILD.ID);
    }

    /** Refreshes last_access_at of the build whose directory holds {@code staticPath}. */
    public void touchContaining(String staticPath) {
        db.update(BUILD).set(BUILD.LAST_ACCESS_AT, now())
                .where(DSL.val(staticPath).like(BUILD.BUILD_PATH.concat("/%")))
                .execute();
    }
}
