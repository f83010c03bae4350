package dev.stagehand.staging;

import dev.stagehand.queue.BuildStore;
import dev.stagehand.queue.Homes;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * With hashed placement, which node answers a read of a build's file: the node holding the copy
 * that serves it. That is the home's copy when it holds something or is fetching it; else a
 * live node whose copy was staged (a build whose home moved away from a draining node, not staged
 * again yet), else the home. Only that node serves the file, even when another node's disk has a
 * copy too: an old copy may be one a clean or a newer object replaced on the home. The answer for
 * a directory is kept for {@link #KEEP_NANOS}, so a herd of readers costs one read of the ledger.
 */
public final class ReadPlacement {
    static final long KEEP_NANOS = 1_000_000_000L;
    private static final int MOST_KEPT = 10_000;

    private final BuildStore builds;
    private final Homes homes;
    private record Decision(Optional<String> holder, long until) {}
    private final Map<String, Decision> byDirectory = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Decision> eldest) {
            return size() > MOST_KEPT;
        }
    });

    public ReadPlacement(BuildStore builds, Homes homes) {
        this.builds = builds;
        this.homes = homes;
    }

    /** Empty: answer here (this node holds the serving copy, or no node has the build); else the advertise URL of the node to ask. */
    public Optional<String> elsewhere(String staticPath) {
        if (homes.self().isEmpty()) {
            return Optional.empty();
        }
        int slash = staticPath.lastIndexOf('/');
        String dir = slash < 0 ? "" : staticPath.substring(0, slash);
        Decision kept = byDirectory.get(dir);
        if (kept != null && System.nanoTime() - kept.until() < 0) {
            return kept.holder();
        }
        Optional<String> holder = decide(staticPath);
        byDirectory.put(dir, new Decision(holder, System.nanoTime() + KEEP_NANOS));
        return holder;
    }

    /** For an RPC that reads a build's files on this disk: {@link HeldElsewhere} when another node holds the copy that serves it. */
    public void requireServedHere(String buildPath) {
        Optional<String> holder = elsewhere(buildPath + "/");
        if (holder.isPresent()) {
            throw new HeldElsewhere(holder.get());
        }
    }

    /** For an RPC that stages a build and then names a place on this machine: {@link HeldElsewhere} unless this node is its home. */
    public void requireHome(String buildPath) {
        String home = homes.homeOf(buildPath);
        if (!home.equals(homes.self())) {
            throw new HeldElsewhere(home);
        }
    }

    private Optional<String> decide(String staticPath) {
        List<BuildStore.Copy> copies = builds.copiesContaining(staticPath);
        if (copies.isEmpty()) {
            return Optional.empty();
        }
        // the longest build path is the build (nested builds are refused; several archive URLs may share one path)
        String buildPath = copies.stream().map(BuildStore.Copy::buildPath).max(Comparator.comparingInt(String::length)).orElseThrow();
        String home = homes.homeOf(buildPath);
        Set<String> live = homes.live();
        List<BuildStore.Copy> ofBuild = copies.stream().filter(c -> c.buildPath().equals(buildPath)).toList();
        String target = ofBuild.stream().filter(c -> c.holder().equals(home) && (c.staged() || c.active())).findFirst()
                .or(() -> ofBuild.stream().filter(c -> c.staged() && live.contains(c.holder()))
                        .sorted(Comparator.comparing(BuildStore.Copy::holder)).findFirst())
                .map(BuildStore.Copy::holder).orElse(home);
        return target.equals(homes.self()) ? Optional.empty() : Optional.of(target);
    }
}
