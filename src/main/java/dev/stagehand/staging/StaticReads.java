package dev.stagehand.staging;

import dev.stagehand.common.RealPaths;
import dev.stagehand.queue.BuildLedger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a read under {@code /static} stays inside its build once every link on its way is
 * followed on disk. Links an archive made can only point inside their build, but a link left by
 * an older stagehand or by an operator might not; reading through it is refused.
 */
public final class StaticReads {
    private final StagingArea area;
    private final BuildLedger builds;

    public StaticReads(StagingArea area, BuildLedger builds) {
        this.area = area;
        this.builds = builds;
    }

    /**
     * True for a path with no link on its way (no database read: the common case), for one whose
     * links lead to another place in the same build, and for one not on disk (a file still
     * landing, or a 404 for the static files to say); false for anything that leads elsewhere.
     */
    public boolean staysInBuild(String staticPath) {
        Path lexical = area.root().resolve(staticPath).normalize();
        if (!lexical.startsWith(area.root())) {
            return false;
        }
        Optional<Path> real = RealPaths.inside(area.root(), lexical);
        // Looked at twice when it is not there: a job may install it between the two looks, and is
        // judged as it is then rather than refused (a device got a 404 for a file that had just landed).
        for (int look = 0; real.isEmpty(); look++) {
            boolean nothingThere = !Files.exists(lexical, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(lexical);
            if (nothingThere || look == 1) {
                return nothingThere; // nothing to escape through; or still there: a link out of the static dir, or a loop
            }
            real = RealPaths.inside(area.root(), lexical);
        }
        Path target = real.get();
        if (target.equals(lexical)) {
            return true;
        }
        return builds.containing(area.root().relativize(lexical).toString()).stream()
                .anyMatch(build -> RealPaths.isInside(area.buildDir(build.buildPath()), target));
    }
}
