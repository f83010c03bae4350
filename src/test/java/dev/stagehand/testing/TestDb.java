package dev.stagehand.testing;

import dev.stagehand.db.Database;
import dev.stagehand.db.H2Urls;
import java.nio.file.Path;

/**
 * The database of one test: a real H2 file in its temporary directory, or, when the run is the
 * PostgreSQL one ({@code -Dstagehand.test.db=postgresql}), a database of its own on the shared
 * {@link PostgresServer}, named after that directory (so a child JVM given it finds the same).
 */
public final class TestDb {
    private TestDb() {}

    public static boolean postgres() {
        return "postgresql".equals(System.getProperty("stagehand.test.db"));
    }

    public static String url(Path dir) {
        return url(dir, postgres());
    }

    /** The database of {@code dir} on PostgreSQL or H2, whichever this run is (benchmarks compare both). */
    public static String url(Path dir, boolean postgres) {
        if (postgres) {
            return PostgresServer.get().database("t" + Integer.toHexString(dir.toAbsolutePath().normalize().toString().hashCode())
                    .replace('-', 'n'));
        }
        return H2Urls.fileUrl(dir.resolve("db").resolve("stagehand"));
    }

    public static Database open(Path dir) {
        return open(dir, postgres());
    }

    public static Database open(Path dir, boolean postgres) {
        return Database.open(url(dir, postgres), 12);
    }

    /** How many sessions of this database wait for a row lock now (to interleave transactions in tests). */
    public static int sessionsWaitingForALock(org.jooq.DSLContext db) {
        if (postgres()) {
            return db.fetchSingle("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND wait_event_type = 'Lock'").get(0, Integer.class);
        }
        return db.fetchSingle("SELECT count(*) FROM information_schema.sessions WHERE blocker_id IS NOT NULL").get(0, Integer.class);
    }

    /** What a child JVM needs to open the same databases. */
    public static java.util.List<String> childJvmArgs() {
        if (!postgres()) {
            return java.util.List.of();
        }
        PostgresServer.get(); // started here, not in the child: the parent and its children share it
        java.util.List<String> args = new java.util.ArrayList<>(PostgresServer.childJvmArgs());
        args.add("-Dstagehand.test.db=postgresql");
        return args;
    }
}
