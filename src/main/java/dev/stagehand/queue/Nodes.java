package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.NODE;

import dev.stagehand.db.DatabaseSetupError;
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
    /** The longest node id (the column holds 64 characters); a longer one names no node. */
    static final int MAX_ID = 64;
    private static final Logger log = LoggerFactory.getLogger(Nodes.class);

    private final DSLContext db;
    private final boolean shared;
    private final Duration timeout;
    private final String self;
    private static final Duration PEER_WAIT_SLACK = Duration.ofSeconds(1);
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
    private volatile boolean selfDraining;

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

    /**
     * Before this node touches its disk or the ledger: refuses to join nodes of the other placement (a shared-volume node would run jobs of copies
     * on other nodes' disks, and the other way round), and a running node with this node's
     * advertise URL (both would claim one disk's jobs). A node killed a moment ago and restarted
     * on its URL still looks alive: that is waited out, for as long as the node timeout.
     */
    void checkPeers() {
        if (!shared) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos() + PEER_WAIT_SLACK.toNanos();
        while (true) {
            List<String> live = db.select(NODE.ADVERTISE_URL).from(NODE)
                    .where(alive()).fetch(NODE.ADVERTISE_URL);
            if (live.stream().anyMatch(url -> (url == null) != (advertiseUrl == null))) {
                throw new DatabaseSetupError(advertiseUrl == null
                        ? "nodes with --placement hashed are running on this database: start this one with --placement hashed too"
                        : "nodes with a shared staging volume are running on this database: stop them, or start this one without --placement hashed",
                        null);
            }
            if (advertiseUrl == null || !live.contains(advertiseUrl)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new DatabaseSetupError("another running node has --advertise-url " + advertiseUrl + ": each node needs its own", null);
            }
            log.info("a node with --advertise-url {} checked in lately (an earlier run?); waiting for it to go silent", advertiseUrl);
            try {
                Thread.sleep(PEER_WAIT_SLACK.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseSetupError("interrupted while waiting for an earlier run of this node to go silent", e);
            }
        }
    }

    /** The HTTP port this node serves on (recorded for operators). */
    void serving(int port) {
        db.update(NODE).set(NODE.PORT, port).where(NODE.ID.eq(self)).execute();
        refreshRing(); // in the ring from now, for this node too
    }

    /**
     * The ring as the home of re-homed work is chosen over it: this node belongs to it (unless it
     * drains) even before it serves, so its own copies' jobs never look stranded at its start.
     */
    List<String> ringWithSelf() {
        List<String> r = ring;
        if (advertiseUrl == null || selfDraining || r.contains(advertiseUrl)) {
            return r;
        }
        List<String> with = new java.util.ArrayList<>(r);
        with.add(advertiseUrl);
        return with;
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
            // a node is in the ring once it serves (its port recorded), not while it starts
            var live = db.select(NODE.ADVERTISE_URL, NODE.DRAINING_AT).from(NODE)
                    .where(NODE.ADVERTISE_URL.isNotNull(), NODE.PORT.isNotNull(), alive())
                    .fetch();
            liveHolders = Set.copyOf(live.getValues(NODE.ADVERTISE_URL));
            // one node restarted on the same URL shows twice until its earlier run times out; draining wins
            Set<String> draining = Set.copyOf(live.stream().filter(r -> r.value2() != null).map(r -> r.value1()).toList());
            ring = liveHolders.stream().filter(url -> !draining.contains(url)).sorted().toList();
            selfDraining = draining.contains(advertiseUrl);
        }
    }

    /** Whether this node was drained (as of its last read of the ring): it starts no job it has not started yet. */
    boolean draining() {
        return selfDraining;
    }

    /** Holders (advertise URLs) of live nodes, draining ones too: their disks can still be read. */
    Set<String> liveHolders() {
        return liveHolders;
    }

    /** Before this node stops serving: it takes no new builds, so peers stop sending work and readers its way. */
    void leaveRing() {
        if (advertiseUrl != null) {
            db.update(NODE).set(NODE.DRAINING_AT, DSL.currentInstant()).where(NODE.ID.eq(self), NODE.DRAINING_AT.isNull()).execute();
        }
    }

    /** DRAIN: the node takes no new builds from now on; false when no running node has that id. */
    boolean drain(String id) {
        var running = NODE.ID.eq(id).and(alive());
        db.update(NODE).set(NODE.DRAINING_AT, DSL.currentInstant()).where(running, NODE.DRAINING_AT.isNull()).execute();
        boolean drained = db.fetchExists(NODE, running, NODE.DRAINING_AT.isNotNull());
        refreshRing();
        return drained;
    }

    /** One node on record, by id. */
    java.util.Optional<NodeView> view(String id) {
        return list(Integer.MAX_VALUE, NODE.ID.eq(id)).stream().findFirst();
    }

    /** For tests: this node stops checking in, as if its database connection stalled, while it keeps working. */
    void stall() {
        stalled = true;
    }

    /** Every node on record, newest first; the alive ones checked in within the timeout. */
    List<NodeView> list(int limit) {
        return list(limit, DSL.noCondition());
    }

    private List<NodeView> list(int limit, org.jooq.Condition which) {
        var alive = DSL.field(alive());
        var held = db.select(BUILD.HOLDER, DSL.count(), DSL.sum(BUILD.STAGED_BYTES)).from(BUILD)
                .where(BUILD.HOLDER.ne(""), BUILD.STAGED_BYTES.gt(0L)).groupBy(BUILD.HOLDER)
                .fetchMap(BUILD.HOLDER, r -> new long[] {r.value2(), r.value3() == null ? 0 : r.value3().longValue()});
        return db.select(NODE.ID, NODE.HOST, NODE.PORT, NODE.STARTED_AT, NODE.LAST_SEEN_AT, NODE.STOPPED_AT, alive,
                        NODE.ADVERTISE_URL, NODE.DRAINING_AT)
                .from(NODE).where(which).orderBy(NODE.STARTED_AT.desc(), NODE.ID).limit(limit)
                .fetch(r -> {
                    long[] copies = r.value8() == null ? null : held.getOrDefault(r.value8(), new long[2]);
                    return new NodeView(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(),
                            Boolean.TRUE.equals(r.value7()), r.value8(), r.value9(),
                            copies == null ? null : (int) copies[0], copies == null ? null : copies[1],
                            r.value6() == null && r.value8() != null && ring.contains(r.value8()));
                });
    }

    /** Not stopped, and checked in within the timeout (by the database's clock). */
    private org.jooq.Condition alive() {
        return NODE.STOPPED_AT.isNull().and(NODE.LAST_SEEN_AT.gt(freshSince()));
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
                .where(NODE.ID.in(claimants), alive())
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
