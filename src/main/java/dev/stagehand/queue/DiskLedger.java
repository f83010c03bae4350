package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.DISK_LOCK;

import java.time.Clock;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * The database's account of this node's staging disk (the shared volume, or with hashed placement
 * its own): decisions about it are made under one lock row ({@link LockedDisk}), so two jobs (on
 * one node or several) never count the same free space twice.
 */
final class DiskLedger {
    private final DSLContext db;
    private final Clock clock;
    private final String node;
    private final String holder;

    DiskLedger(DSLContext db, Clock clock, String node, String holder) {
        this.db = db;
        this.clock = clock;
        this.node = node;
        this.holder = holder;
    }

    /** Runs {@code decision} in one transaction that holds the disk lock. */
    <T> T locked(Function<LockedDisk, T> decision) {
        return db.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.select(DISK_LOCK.ID).from(DISK_LOCK).where(DISK_LOCK.ID.eq(1)).forUpdate().fetch();
            return decision.apply(new LockedDisk(tx, clock, node, holder));
        });
    }

    /** Bytes all builds hold (as last measured). */
    long stagedBytes() {
        return new LockedDisk(db, clock, node, holder).stagedBytes();
    }
}
