package dev.stagehand.queue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which node's copy of a build serves it. With a shared volume every node shares one copy
 * (holder ''). With hashed placement, a build's home is the node its path hashes to
 * ({@link Rendezvous}) over the ring: the live nodes that are not draining, as every node reads
 * them at its check-ins. The home stages the build on its own disk; its copy is the build row
 * whose holder is the home's advertise URL.
 */
public final class Homes {
    private final Placement placement;
    private final Nodes nodes;
    private final BuildStore builds;
    /** A build row's holder never changes. */
    private final Map<Long, String> holders = new ConcurrentHashMap<>();

    Homes(Placement placement, Nodes nodes, BuildStore builds) {
        this.placement = placement;
        this.nodes = nodes;
        this.builds = builds;
    }

    /** The holder of the copy that should serve the build at {@code buildPath} now ('' with a shared volume). */
    public String homeOf(String buildPath) {
        if (!placement.hashed()) {
            return "";
        }
        // alone in the ring, or every node draining: this node is the only place left to stage
        return Rendezvous.home(buildPath, nodes.ring()).orElse(placement.holder());
    }

    /** This node's holder: its advertise URL, or '' with a shared volume. */
    public String self() {
        return placement.holder();
    }

    /** The holder of a build copy. */
    public String holderOf(long buildId) {
        return holders.computeIfAbsent(buildId, builds::holderOf);
    }

    /** Whether the build copy is on this node's disk (always, with a shared volume). */
    public boolean holdsHere(long buildId) {
        return holderOf(buildId).equals(self());
    }

    /** The nodes this node places builds over now (its last read of the ring), by advertise URL. */
    public java.util.List<String> ring() {
        return nodes.ring();
    }

    /** The holders whose disks can be read now: live nodes, draining ones included. */
    public Set<String> live() {
        return nodes.liveHolders();
    }
}
