package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.NODE;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's identity and its check-ins, and which nodes are dead. Alone on its database (H2),
 * a node knows every other node in the table is an earlier run of itself: dead. Sharing one
 * (PostgreSQL), a node is dead once it has not checked in for the timeout, by the
 * database's clock (the nodes' own clocks may disagree).
 */
final class Nodes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Nodes.class);

    private final DSLContext db;
    private final boolean shared;
    private final Duration timeout;
    private final String self;
    private final ScheduledExecutorService checkIns = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-check-in");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stalled;
    private final String advertiseUrl;
    /** The advertise URLs of the live nodes that take new work, as last read (refreshed at each check-in). */
    private volatile List<String> ring = List.of();
    /** The advertise URLs of every live node, draining ones too, as last read. */
    private volatile Set<String> liveHolders = Set.of();

    /** A node sharing the database checks in four times per {@code timeout}; {@code advertiseUrl} may be null (shared volume). */
    Nodes(DSLContext db, boolean shared, Duration timeout, String advertiseUrl) {
        this.db = db;
        this.shared = shared;
        this.timeout = timeout;
        this.advertiseUrl = advertiseUrl;
        this.self = host() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String self() {
        return self;
    }

    /** Records this node and starts checking in; alone, marks every other node stopped. */
    void start() {
        db.insertInto(NODE).set(NODE.ID, self).set(NODE.HOST, host()).set(NODE.STARTED_AT, DSL.currentInstant())
                .set(NODE.LAST_SEEN_AT, DSL.currentInstant()).set(NODE.ADVERTISE_URL, advertiseUrl).execute();
        if (!shared) {
            db.update(NODE).set(NODE.STOPPED_AT, DSL.currentInstant()).where(NODE.ID.ne(self), NODE.STOPPED_AT.isNull()).execute();
        }
        refreshRing();
        log.info("node {} started ({}{})", self, shared ? "sharing its database with other nodes" : "alone on its database",
                advertiseUrl == null ? "" : "; reached at " + advertiseUrl);
        long ms = Math.max(100, timeout.toMillis() / 4);
        checkIns.scheduleWithFixedDelay(this::checkIn, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The HTTP port this node serves on (recorded for operators). */
    void serving(int port) {
        db.update(NODE).set(NODE.PORT, port).where(NODE.ID.eq(self)).execute();
    }

    private void checkIn() {
        if (stalled) {
            return;
        }
        try {
            db.update(NODE).set(NODE.LAST_SEEN_AT, DSL.currentInstant()).where(NODE.ID.eq(self)).execute();
            refreshRing();
        } catch (RuntimeException e) {
            log.warn("node check-in failed", e);
        }
    }

    /**
     * The advertise URLs of the nodes that take new builds: alive, not draining, with a URL. Read
     * at every check-in, so all nodes agree within a quarter of the timeout of one joining,
     * draining or dying.
     */
    List<String> ring() {
        return ring;
    }

    /** Reads the ring now (after a drain this node asked for, and at every check-in). */
    void refreshRing() {
        if (advertiseUrl != null) {
            var live = db.select(NODE.ADVERTISE_URL, NODE.DRAINING_AT).from(NODE)
                    .where(NODE.ADVERTISE_URL.isNotNull(), NODE.STOPPED_AT.isNull(), NODE.LAST_SEEN_AT.gt(freshSince()))
                    .fetch();
            liveHolders = Set.copyOf(live.getValues(NODE.ADVERTISE_URL));
            // one node restarted on the same URL shows twice until its earlier run times out; draining wins
            Set<String> draining = Set.copyOf(live.stream().filter(r -> r.value2() != null).map(r -> r.value1()).toList());
            ring = liveHolders.stream().filter(url -> !draining.contains(url)).sorted().toList();
        }
    }

    /** Holders (advertise URLs) of live nodes, draining ones too: their disks can still be read. */
    Set<String> liveHolders() {
        return liveHolders;
    }

    /** DRAIN: the node takes no new builds from now on; false when no running node has that id. */
    boolean drain(String id) {
        boolean drained = db.update(NODE).set(NODE.DRAINING_AT, DSL.currentInstant())
                .where(NODE.ID.eq(id), NODE.STOPPED_AT.isNull(), NODE.DRAINING_AT.isNull()).execute() == 1
                || db.fetchExists(NODE, NODE.ID.eq(id), NODE.STOPPED_AT.isNull());
        refreshRing();
        return drained;
    }

    /** For tests: this node stops checking in, as if its database connection stalled, while it keeps working. */
    void stall() {
        stalled = true;
    }

    /** Every node on record, newest first; the alive ones checked in within the timeout. */
    List<NodeView> list(int limit) {
        var alive = DSL.field(NODE.STOPPED_AT.isNull().and(NODE.LAST_SEEN_AT.gt(freshSince())));
        var held = db.select(BUILD.HOLDER, DSL.count(), DSL.sum(BUILD.STAGED_BYTES)).from(BUILD)
                .where(BUILD.HOLDER.ne(""), BUILD.STAGED_BYTES.gt(0L)).groupBy(BUILD.HOLDER)
                .fetchMap(BUILD.HOLDER, r -> new long[] {r.value2(), r.value3() == null ? 0 : r.value3().longValue()});
        return db.select(NODE.ID, NODE.HOST, NODE.PORT, NODE.STARTED_AT, NODE.LAST_SEEN_AT, NODE.STOPPED_AT, alive,
                        NODE.ADVERTISE_URL, NODE.DRAINING_AT)
                .from(NODE).orderBy(NODE.STARTED_AT.desc(), NODE.ID).limit(limit)
                .fetch(r -> {
                    long[] copies = r.value8() == null ? null : held.getOrDefault(r.value8(), new long[2]);
                    return new NodeView(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(),
                            Boolean.TRUE.equals(r.value7()), r.value8(), r.value9(),
                            copies == null ? null : (int) copies[0], copies == null ? null : copies[1]);
                });
    }

    private Field<Instant> freshSince() {
        return DSL.currentInstant().minus(DayToSecond.valueOf(timeout));
    }

    /** The nodes among {@code claimants} that are dead: stopped, silent too long, or unknown (older runs). */
    List<String> deadAmong(List<String> claimants) {
        if (!shared) {
            return claimants.stream().filter(node -> node == null || !node.equals(self)).toList();
        }
        Set<String> alive = Set.copyOf(db.select(NODE.ID).from(NODE)
                .where(NODE.ID.in(claimants), NODE.STOPPED_AT.isNull(),
                        NODE.LAST_SEEN_AT.gt(freshSince()))
                .fetch(NODE.ID));
        return claimants.stream().filter(node -> node == null || !alive.contains(node)).toList();
    }

    @Override
    public void close() {
        JobQueue.stopWithoutInterrupt(checkIns); // an interrupt inside H2 would close its file
        try {
            db.update(NODE).set(NODE.STOPPED_AT, DSL.currentInstant()).where(NODE.ID.eq(self)).execute();
        } catch (RuntimeException e) {
            log.warn("could not record that node {} stopped", self, e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
