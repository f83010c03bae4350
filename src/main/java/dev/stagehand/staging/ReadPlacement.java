package dev.stagehand.staging;

import dev.stagehand.queue.BuildStore;
import dev.stagehand.queue.Homes;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * With hashed placement, which node a read under {@code /static} is answered by. A file on this
 * node's disk is served here, whoever the build's home is (a draining node keeps serving what it
 * holds, and an old home what it still has). Otherwise the reader goes to the copy that has it:
 * the home's when it holds something or is fetching it, else a live node whose copy was staged
 * (a home that moved away from a draining node has not staged it again yet), else the home.
 */
public final class ReadPlacement {
    private final StagingArea area;
    private final BuildStore builds;
    private final Homes homes;

    public ReadPlacement(StagingArea area, BuildStore builds, Homes homes) {
        this.area = area;
        this.builds = builds;
        this.homes = homes;
    }

    /** Whether reads may be sent elsewhere at all (hashed placement). */
    public boolean active() {
        return !homes.self().isEmpty();
    }

    /** Empty: answer here (the file is here, or no node has its build); else the advertise URL of the node to ask. */
    public Optional<String> elsewhere(String staticPath) {
        if (!active() || onDiskHere(staticPath)) {
            return Optional.empty();
        }
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
                .or(() -> ofBuild.stream().filter(c -> c.staged() && live.contains(c.holder())).sorted(Comparator.comparing(BuildStore.Copy::holder))
                        .findFirst())
                .map(BuildStore.Copy::holder).orElse(home);
        return target.equals(homes.self()) ? Optional.empty() : Optional.of(target);
    }

    private boolean onDiskHere(String staticPath) {
        Path lexical = area.root().resolve(staticPath).normalize();
        return lexical.startsWith(area.root()) && Files.exists(lexical, LinkOption.NOFOLLOW_LINKS);
    }
}
