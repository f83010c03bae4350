package dev.stagehand.staging;

import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.Homes;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * With hashed placement, which node answers a read of a build's file. A file on this node's disk
 * is served here when this node's copy of the build is staged and was not cleaned away on the
 * home since (a copy a clean replaced is never served). Otherwise the reader goes to the copy
 * that serves the build: the home's when it holds something or is fetching it; else a live node
 * whose copy was staged (a build whose home moved away from a draining node, not staged again
 * yet); else the home. The ledger's answer for a directory is kept for {@link #KEEP_NANOS}, so a
 * herd of readers costs one read of the ledger; whether the file is on this disk is looked at
 * every time.
 */
public final class ReadPlacement {
    static final long KEEP_NANOS = 1_000_000_000L;
    private static final int MOST_KEPT = 10_000;

    private final StagingArea area;
    private final BuildLedger builds;
    private final Homes homes;

    /** Where readers of a directory's files go, and whether this node may serve the ones on its own disk. */
    private record Decision(Optional<String> target, boolean ownCopyServes, long until) {}

    private final Map<String, Decision> byDirectory = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Decision> eldest) {
            return size() > MOST_KEPT;
        }
    });

    public ReadPlacement(StagingArea area, BuildLedger builds, Homes homes) {
        this.area = area;
        this.builds = builds;
        this.homes = homes;
    }

    /** Empty: answer here (the file is served here, or no node has its build); else the advertise URL of the node to ask. */
    public Optional<String> elsewhere(String staticPath) {
        if (homes.self().isEmpty()) {
            return Optional.empty();
        }
        int slash = staticPath.lastIndexOf('/');
        String dir = slash < 0 ? "" : staticPath.substring(0, slash);
        Decision d = byDirectory.get(dir);
        if (d == null || System.nanoTime() - d.until() >= 0) {
            d = decide(staticPath);
            if (d.target().isPresent() || !d.ownCopyServes()) { // "no node has it" is not kept: a stage may be recorded next
                byDirectory.put(dir, d);
            }
        }
        if (d.target().isEmpty() || d.ownCopyServes() && onDiskHere(staticPath)) {
            return Optional.empty();
        }
        return d.target();
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

    private Decision decide(String staticPath) {
        long until = System.nanoTime() + KEEP_NANOS;
        List<BuildLedger.Copy> copies = builds.copiesContaining(staticPath);
        if (copies.isEmpty()) {
            return new Decision(Optional.empty(), true, until);
        }
        // the longest build path is the build (nested builds are refused; several archive URLs may share one path)
        String buildPath = copies.stream().map(BuildLedger.Copy::buildPath).max(Comparator.comparingInt(String::length)).orElseThrow();
        String home = homes.homeOf(buildPath);
        Set<String> live = homes.live();
        List<BuildLedger.Copy> ofBuild = copies.stream().filter(c -> c.buildPath().equals(buildPath)).toList();
        Optional<BuildLedger.Copy> homeCopy = ofBuild.stream().filter(c -> c.holder().equals(home)).findFirst();
        String target = homeCopy.filter(c -> c.staged() || c.active())
                .or(() -> ofBuild.stream().filter(c -> c.staged() && live.contains(c.holder()))
                        .sorted(Comparator.comparing(BuildLedger.Copy::holder)).findFirst())
                .map(BuildLedger.Copy::holder).orElse(home);
        boolean ownCopyServes = ofBuild.stream().filter(c -> c.holder().equals(homes.self()) && c.staged())
                .anyMatch(mine -> homeCopy.map(BuildLedger.Copy::emptiedAt).filter(cleaned -> cleaned.isAfter(mine.stagedAt())).isEmpty());
        return new Decision(target.equals(homes.self()) ? Optional.empty() : Optional.of(target), ownCopyServes, until);
    }

    private boolean onDiskHere(String staticPath) {
        try {
            Path lexical = area.root().resolve(staticPath).normalize();
            return lexical.startsWith(area.root()) && Files.exists(lexical, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.InvalidPathException notAPath) { // a caller's name no file can have
            return false;
        }
    }
}
