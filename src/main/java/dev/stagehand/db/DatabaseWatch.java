package dev.stagehand.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a database that closed under the server (H2 closes itself for good when a write fails,
 * e.g. on a full disk): every call would answer 500 until a restart, so the server says so in one
 * line and stops, for its supervisor to start it again. A database that is only unreachable for
 * a while (PostgreSQL restarting) is not this: the server waits for it.
 */
public final class DatabaseWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatch.class);
    /** H2's "the database has been closed", and "called at shutdown". */
    private static final java.util.Set<Integer> CLOSED = java.util.Set.of(90098, 90121);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "database-watch");
        t.setDaemon(true);
        return t;
    });

    private DatabaseWatch() {}

    /** Checks {@code database} every {@code every}; {@code onClosed} hears why, once. */
    public static DatabaseWatch start(Database database, Duration every, Consumer<String> onClosed) {
        DatabaseWatch watch = new DatabaseWatch();
        watch.timer.scheduleWithFixedDelay(() -> {
            String closed = closedBecause(database);
            if (closed != null) {
                log.error("{}", closed);
                watch.timer.shutdown();
                onClosed.accept(closed);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    /** Why the database is closed for good, or null while it answers (or is only away for a while). */
    static String closedBecause(Database database) {
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && CLOSED.contains(sql.getErrorCode())) {
                    return "the database was closed under the server (" + Secrets.maskUrls(sql.getMessage().lines().findFirst()
                            .orElse("")) + "; is its disk full?): stopping, so that a restart opens it again";
                }
            }
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
