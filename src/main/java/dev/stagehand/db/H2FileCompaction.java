package dev.stagehand.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the H2 file near the size of what it holds. With {@code WRITE_DELAY=0} (a commit is on
 * disk before a caller hears Success) H2's store runs no background maintenance, so every
 * commit's chunk stays in the file: 10,000 jobs going to WAITING_UPLOAD left a 986 MB file for a
 * few MB of rows. Once a minute, a file over {@link #FLOOR} bytes and twice its size after the
 * last compaction is compacted online. Commits wait while it runs (about 2 s, rarely: after a
 * burst of writes); H2's compaction drops the store's retention time, which is put back after.
 */
final class H2FileCompaction implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(H2FileCompaction.class);
    static final long FLOOR = 64L << 20;
    private static final Duration EVERY = Duration.ofMinutes(1);
    /** What H2 may spend moving chunks in one compaction. */
    private static final int MAX_COMPACT_MS = 2000;

    private final DataSource pool;
    private final long floor;
    private long compactedTo;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "h2-compaction");
        t.setDaemon(true);
        return t;
    });

    H2FileCompaction(DataSource pool, long floor) {
        this.pool = pool;
        this.floor = floor;
    }

    static H2FileCompaction start(DataSource pool) {
        H2FileCompaction compaction = new H2FileCompaction(pool, FLOOR);
        compaction.timer.scheduleWithFixedDelay(compaction::runOnceQuietly, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return compaction;
    }

    private void runOnceQuietly() {
        try {
            runOnce();
        } catch (SQLException | RuntimeException e) {
            log.warn("could not compact the H2 file: {}", Secrets.maskUrls(String.valueOf(e.getMessage())));
        }
    }

    /** Compacts when the file is over the floor and twice its size after the last compaction; the file's size after. */
    long runOnce() throws SQLException {
        try (Connection c = pool.getConnection()) {
            if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session) // a tcp: URL: not ours to compact
                    || session.getDatabase().getStore() == null || session.getDatabase().getStore().getMvStore().getFileStore() == null) {
                return 0; // in memory, or another process's file
            }
            MVStore store = session.getDatabase().getStore().getMvStore();
            long before = store.getFileStore().size();
            if (before <= floor || before <= 2 * compactedTo) {
                return before;
            }
            long started = System.nanoTime();
            int retention = store.getRetentionTime();
            try {
                store.compactFile(MAX_COMPACT_MS);
            } finally {
                store.setRetentionTime(retention); // compactFile leaves it at 0: no margin against a crash mid-write
            }
            compactedTo = store.getFileStore().size();
            log.info("compacted the H2 file from {} MB to {} MB in {} ms", before >> 20, compactedTo >> 20,
                    (System.nanoTime() - started) / 1_000_000);
            return compactedTo;
        }
    }

    @Override
    public void close() {
        timer.shutdown(); // a compaction under way ends before the pool closes
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
