package dev.stagehand.db;

import dev.stagehand.common.ShortHash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
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

    private Nudges(Database database, Map<String, Consumer<String>> handlers) {
        this.database = database;
        if (database.vendor().clustered() && !handlers.isEmpty()) {
            Map<String, Consumer<String>> byChannel = new HashMap<>();
            handlers.forEach((key, handler) -> byChannel.put(channel(key), handler));
            listener = new Thread(() -> listen(byChannel), "nudge-listener");
            listener.setDaemon(true);
            listener.start();
        } else {
            listener = null;
        }
    }

    /** Listens for nudges addressed to each key and hands each payload to that key's handler. */
    public static Nudges listen(Database database, Map<String, Consumer<String>> handlers) {
        return new Nudges(database, handlers);
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

    private void listen(Map<String, Consumer<String>> byChannel) {
        while (!closed) {
            try (Connection c = database.dataSource().getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    for (String channel : byChannel.keySet()) {
                        s.execute("LISTEN " + channel);
                    }
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(POLL_MS);
                    if (got != null) {
                        for (PGNotification n : got) {
                            deliver(byChannel.get(n.getName()), n.getParameter());
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
        if (onNudge == null) {
            return;
        }
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
