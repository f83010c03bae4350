package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;

import java.time.Clock;
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
                        .set(BUILD.CREATED_AT, clock.instant())
                        .set(BUILD.LAST_ACCESS_AT, clock.instant())
                        .returning(BUILD.ID).fetchOne().getId();
            } catch (IntegrityConstraintViolationException raced) {
                // Another request created it a moment ago: read it on the next pass.
            }
        }
        throw new IllegalStateException("could not create the build row for " + archiveUrl);
    }

    public Optional<Long> find(String archiveUrl) {
        return db.select(BUILD.ID).from(BUILD).where(BUILD.ARCHIVE_URL.eq(archiveUrl)).fetchOptional(BUILD.ID);
    }

    /**
     * A known build whose directory contains, or lies inside, {@code buildPath}'s (another archive
     * URL with the same path is the same directory, so it is no conflict).
     */
    public Optional<String> nestedWith(String buildPath) {
        return db.select(BUILD.BUILD_PATH).from(BUILD)
                .where(BUILD.BUILD_PATH.startsWith(buildPath + "/")
                        .or(DSL.val(buildPath).startsWith(BUILD.BUILD_PATH.concat("/"))))
                .limit(1).fetchOptional(BUILD.BUILD_PATH);
    }

    /** Refreshes last_access_at of the build whose directory holds {@code path} (relative to the static dir). */
    public void touchContaining(String path) {
        db.update(BUILD).set(BUILD.LAST_ACCESS_AT, clock.instant())
                .where(DSL.val(path).startsWith(BUILD.BUILD_PATH.concat("/")).or(BUILD.BUILD_PATH.eq(path)))
                .execute();
    }
}
