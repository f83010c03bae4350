package dev.stagehand.db;

import java.nio.file.Path;

/** H2 settings the server depends on, in one place. */
public final class H2Urls {
    private H2Urls() {}

    /** Default database: a file under ./db, shareable with the `sql` command while the server runs. */
    public static String defaultUrl() {
        return fileUrl(Path.of("db", "stagehand"));
    }

    public static String fileUrl(Path base) {
        return "jdbc:h2:file:" + base.toAbsolutePath();
    }

    /**
     * AUTO_SERVER lets a second process (the `sql` command, an SQL tool) open the same file;
     * WRITE_DELAY=0 makes a commit durable before we answer; the statement cache is sized for
     * the queue; the lock timeout is raised from H2's 1 s because Quartz and workers contend on rows.
     */
    public static String withDefaults(String url) {
        if (!url.startsWith("jdbc:h2:file:") && !url.startsWith("jdbc:h2:./") && !url.startsWith("jdbc:h2:/")) {
            return url;
        }
        String result = interruptSafe(url);
        if (!url.toUpperCase().contains("AUTO_SERVER")) {
            result += ";AUTO_SERVER=TRUE";
        }
        if (!url.toUpperCase().contains("WRITE_DELAY")) {
            // H2 flushes commits in the background every 500 ms by default: a crash (SIGKILL,
            // power loss) would forget jobs we already acknowledged. Flush at commit.
            result += ";WRITE_DELAY=" + System.getProperty("stagehand.h2.writeDelay", "0");
        }
        if (!url.toUpperCase().contains("QUERY_CACHE_SIZE")) {
            // H2 keeps 8 parsed statements per connection; the queue and Quartz use ~40 in turn,
            // so with the default every statement was parsed again.
            result += ";QUERY_CACHE_SIZE=64";
        }
        if (!url.toUpperCase().contains("LOCK_TIMEOUT")) {
            result += ";LOCK_TIMEOUT=20000";
        }
        if (!url.toUpperCase().contains("MAX_COMPACT_TIME")) {
            // H2 compacts its file when it closes, for 200 ms by default: too little to give back
            // what a busy day left behind. A stop may take a few seconds more; the file stays small.
            result += ";MAX_COMPACT_TIME=5000";
        }
        return result;
    }

    /**
     * The URL opening a file database directly, without AUTO_SERVER, only if it exists (to find
     * out whether another process holds it); null for a database not in a file.
     */
    static String exclusive(String url) {
        if (H2Credentials.baseOf(url) == null || url.toUpperCase().contains("AUTO_SERVER")) {
            return null;
        }
        return interruptSafe(url) + ";IFEXISTS=TRUE";
    }

    /** For the read-only account: share the server's database, change no database settings (admin only). */
    public static String forReader(String url) {
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:tcp:") || url.startsWith("jdbc:h2:mem:")
                || url.toUpperCase().contains("AUTO_SERVER")) {
            return url;
        }
        return interruptSafe(url) + ";AUTO_SERVER=TRUE;IFEXISTS=TRUE";
    }

    /**
     * H2's default file store is closed for good when a thread is interrupted in the middle of a
     * write (Quartz interrupts its misfire thread on shutdown, Jetty its threads on stop); the
     * async: store is not. Same files, so both spellings open the same database.
     */
    static String interruptSafe(String url) {
        return url.startsWith("jdbc:h2:file:") ? "jdbc:h2:async:" + url.substring("jdbc:h2:file:".length()) : url;
    }

    /** H2's AUTO_SERVER listens on every interface unless told otherwise; job history stays on loopback. */
    public static void keepServersOnLoopback() {
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
    }
}
