package dev.stagehand.staging.lab;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.RealPaths;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.staging.StagingArea;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** What is on disk under the static dir, for the devserver's read-only RPCs (list_image_dir, latestbuild). */
public final class StagedBuilds {
    private final StagingArea area;

    public StagedBuilds(StagingArea area) {
        this.area = area;
    }

    /** One line per file or directory of a staged build (name, modified time, size); empty when it is not staged. */
    public Optional<List<String>> listing(BuildRef build) throws IOException {
        Optional<Path> staged = area.realBuildDir(build.path());
        if (staged.isEmpty() || !Files.isDirectory(staged.get())) {
            return Optional.empty();
        }
        Path dir = staged.get();
        try (Stream<Path> files = Files.walk(dir)) { // links are listed as links, never followed
            return Optional.of(files.filter(p -> !p.equals(dir)).sorted().map(p -> line(dir, p)).toList());
        }
    }

    private static String line(Path build, Path p) {
        try {
            var attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return build.relativize(p) + (attrs.isDirectory() ? "/" : "") + "\t" + attrs.lastModifiedTime() + "\t" + attrs.size();
        } catch (IOException e) {
            return build.relativize(p) + "\t?\t?";
        }
    }

    /** The newest staged build of a target (optionally of one milestone, e.g. R78), in version order. */
    public Optional<String> latest(String target, String milestone) throws IOException {
        Optional<Path> dir = RealPaths.inside(area.root(), area.buildDir(callerPath("target", target)));
        if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(dir.get())) {
            return children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).map(p -> p.getFileName().toString())
                    .filter(name -> milestone == null || name.startsWith(milestone + "-"))
                    .max(VersionOrder.INSTANCE);
        }
    }

    /** A build path a caller gave ({@code build=T/B}), checked as {@link #callerPath} does. */
    public String callerBuildPath(String path) {
        return callerPath("build", path);
    }

    /** A relative path a caller gave (target, build): no '..', no empty parts, not stagehand's own directory. */
    String callerPath(String what, String path) {
        if (path.length() > 1024 || !RelativePaths.isClean(path)) {
            throw new InvalidRequest(what + " must be a relative path without '..': " + CallerText.quote(path));
        }
        area.checkBuildPath(path);
        return path;
    }
}
