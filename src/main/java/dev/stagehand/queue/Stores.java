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

    Stores(DSLContext db, Clock clock, String node) {
        this.db = db;
        this.clock = clock;
        this.node = node;
        this.jobs = new JobStore(db, clock);
        this.requests = new RequestStore(db, clock);
        this.builds = new BuildStore(db, clock, node);
    }

    /** Runs {@code work} in one transaction: everything it changes commits together or not at all. */
    <T> T inTransaction(Function<Stores, T> work) {
        return db.transactionResult(cfg -> work.apply(new Stores(cfg.dsl(), clock, node)));
    }
}
