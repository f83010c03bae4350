package dev.stagehand.queue;

import java.time.Clock;
import java.util.function.Function;
import org.jooq.DSLContext;

/** The ledger's write stores over one connection or transaction, and a way to start a transaction. */
final class Stores {
    final JobStore jobs;
    final RequestStore requests;
    final BuildStore builds;
    private final DSLContext db;
    private final Clock clock;
    private final String node;
    private final String holder;

    /** For {@code node}, whose builds are the copies held at {@code holder} ('' for a shared volume). */
    Stores(DSLContext db, Clock clock, String node, String holder) {
        this.db = db;
        this.clock = clock;
        this.node = node;
        this.holder = holder;
        this.jobs = new JobStore(db, clock, holder);
        this.requests = new RequestStore(db, clock);
        this.builds = new BuildStore(db, clock, node, holder);
    }

    /**
     * The disk's facts over this transaction without its lock (one row for every node): only for
     * the start's warm-up, which rolls back and must not make other nodes' reservations wait.
     */
    LockedDisk diskWithoutLock() {
        return new LockedDisk(db, clock, node, holder);
    }

    /** Runs {@code work} in one transaction: everything it changes commits together or not at all. */
    <T> T inTransaction(Function<Stores, T> work) {
        return db.transactionResult(cfg -> work.apply(new Stores(cfg.dsl(), clock, node, holder)));
    }
}
