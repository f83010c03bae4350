package dev.stagehand.db;

import dev.stagehand.common.ShortHash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups between nodes over the database they share (PostgreSQL's LISTEN/NOTIFY): a node that
 * queued work for another tells it at once instead of leaving it for the next reconciliation. A
 * nudge is only a hint, delivered when the sender commits; one lost (the listener reconnecting,
 * its node restarting) is made good by the periodic reconciliation, which finds the same work in
 * the ledger. On H2 (one node alone) there is nobody to nudge and nothing is sent.
 */
public final class Nudges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Nudges.class);
    private static final int POLL_MS = 250;
    private static final long RECONNECT_MS = 1000;

    private final Database database;
    private final Thread listener;
    private volatile boolean closed;

    private Nudges(Database database, String key, Consumer<String> onNudge) {
        this.database = database;
        if (database.vendor().clustered() && key != null) {
            listener = new Thread(() -> listen(channel(key), onNudge), "nudge-listener");
            listener.setDaemon(true);
            listener.start();
        } else {
            listener = null;
        }
    }

    /** Listens for nudges addressed to {@code key} (null: listens for none) and hands each payload to {@code onNudge}. */
    public static Nudges listen(Database database, String key, Consumer<String> onNudge) {
        return new Nudges(database, key, onNudge);
    }

    /** Nudges the node listening on {@code key} with {@code payload} (at most 8000 bytes); false when it could not be sent. */
    public boolean send(String key, String payload) {
        if (!database.vendor().clustered()) {
            return false;
        }
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, channel(key));
            notify.setString(2, payload);
            notify.execute();
            return true;
        } catch (SQLException e) {
            log.warn("could not nudge {}; its reconciliation will find the work", key, e);
            return false;
        }
    }

    /** A channel name PostgreSQL accepts (an identifier under 64 bytes), the same on every node for one key. */
    static String channel(String key) {
        return "stagehand_" + ShortHash.hex(key, 12);
    }

    private void listen(String channel, Consumer<String> onNudge) {
        while (!closed) {
            try (Connection c = database.dataSource().getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(POLL_MS);
                    if (got != null) {
                        for (PGNotification n : got) {
                            deliver(onNudge, n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!closed) {
                    log.warn("listening for nudges failed; listening again in {} ms", RECONNECT_MS, e);
                    sleepQuietly();
                }
            }
        }
    }

    private static void deliver(Consumer<String> onNudge, String payload) {
        try {
            onNudge.accept(payload);
        } catch (RuntimeException e) {
            log.warn("handling a nudge failed; reconciliation will catch up", e);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(RECONNECT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening within one poll (no interrupt: the listener may be inside the driver). */
    @Override
    public void close() {
        closed = true;
        if (listener != null) {
            try {
                listener.join(2 * POLL_MS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
