package dev.stagehand.staging;

import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.RealPaths;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The static directory's layout. Builds live at {@code <static>/<build path>/}; stagehand's own
 * bookkeeping lives under {@code <static>/.stagehand/} (same filesystem, so moves are atomic):
 * {@code work/} for attempts in progress, {@code partial/} for resumable downloads and
 * {@code markers/} for the list of files each staged artifact installed.
 */
public final class StagingArea {
    public static final String INTERNAL_DIR = ".stagehand";

    private final Path root;

    public StagingArea(Path staticDir) throws IOException {
        Files.createDirectories(staticDir);
        // Real, so that every real-path check below compares like with like.
        this.root = staticDir.toRealPath();
        Files.createDirectories(internal("work"));
        Files.createDirectories(internal("partial"));
        Files.createDirectories(internal("markers"));
    }

    public Path root() {
        return root;
    }

    private Path internal(String name) {
        return root.resolve(INTERNAL_DIR).resolve(name);
    }

    public Path buildDir(String buildPath) {
        return SafePaths.under(root, buildPath);
    }

    /** The build's directory as it really is on disk, when it exists and lies inside the static dir. */
    public Optional<Path> realBuildDir(String buildPath) {
        return RealPaths.inside(root, buildDir(buildPath));
    }

    /**
     * {@code text} (an error about our own files) with the static dir's absolute path taken out, and
     * the scratch dir of the attempt: a caller or the ledger sees {@code target/R1/autotest/x}.
     */
    String withoutServerPaths(String text) {
        if (text == null) {
            return null;
        }
        return text.replace(root + "/", "").replace(root.toString(), ".")
                .replaceAll(java.util.regex.Pattern.quote(INTERNAL_DIR) + "/(work|partial)/[0-9]+(-[0-9]+)?/", "");
    }

    /** Refuses a build path that is or reaches into stagehand's own directory (400). */
    public void checkBuildPath(String buildPath) {
        for (String part : buildPath.split("/")) {
            if (part.equalsIgnoreCase(INTERNAL_DIR)) {
                throw new InvalidRequest("a build path may not name stagehand's own directory " + INTERNAL_DIR);
            }
        }
    }

    /**
     * The scratch dir of this attempt, empty. Earlier attempts' dirs go too: this attempt holds the
     * job's claim, so no other attempt of it still runs (one that died with its node leaves its dir).
     */
    Path freshWorkDir(long jobId, int attempt) throws IOException {
        for (int earlier = 1; earlier < attempt; earlier++) {
            deleteTree(internal("work").resolve(jobId + "-" + earlier));
        }
        Path dir = internal("work").resolve(jobId + "-" + attempt);
        deleteTree(dir);
        Files.createDirectories(dir);
        return dir;
    }

    Path partialDir(long jobId) {
        return internal("partial").resolve(Long.toString(jobId));
    }

    /** Where object {@code name} (a clean relative path) of a job is downloaded to, resumable across its attempts. */
    Path partialFile(long jobId, String name) {
        return SafePaths.under(partialDir(jobId), name);
    }

    private Path marker(long buildId, String artifact) {
        return markers(buildId).resolve(URLEncoder.encode(artifact, StandardCharsets.UTF_8) + ".files");
    }

    /** Where a build's markers are kept, one per installed artifact. */
    private Path markers(long buildId) {
        return internal("markers").resolve(Long.toString(buildId));
    }

    /**
     * Moves every written file from the work dir into the build dir (each move atomic), links
     * last, then writes the marker: the commit point. A crash before the marker leaves the
     * artifact unstaged. No move passes through a symlink already in the build (an earlier
     * artifact's): each parent directory is checked on disk, part by part.
     */
    void install(Path work, String buildPath, long buildId, String artifact, List<String> files, List<String> mkdirs,
            Map<String, FileHashes> hashes) throws IOException {
        Path build = buildDir(buildPath);
        RealPaths.createDirectories(root, build);
        Files.deleteIfExists(marker(buildId, artifact));
        for (String dir : mkdirs) {
            RealPaths.createDirectories(build, SafePaths.under(build, dir));
        }
        List<String> linksLast = files.stream()
                .sorted(Comparator.comparing((String f) -> Files.isSymbolicLink(work.resolve(f)))).toList();
        for (String file : linksLast) { // all checked before any moves: a refusal installs nothing
            RealPaths.checkWritable(build, SafePaths.under(build, file));
        }
        for (String file : linksLast) {
            Path target = SafePaths.under(build, file);
            RealPaths.createDirectories(build, target.getParent());
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new RealPaths.Escape(file + " is a directory in the build; it is not replaced by a file");
            }
            Files.move(SafePaths.under(work, file), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Path marker = marker(buildId, artifact);
        Files.createDirectories(marker.getParent());
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.write(tmp, Marker.lines(files, hashes));
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What an artifact's marker lists (the build-relative files and links it installed); empty when not staged. */
    List<String> installed(long buildId, String artifact) {
        try {
            Path marker = marker(buildId, artifact);
            return Files.isRegularFile(marker) ? Marker.files(marker) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Whether an artifact of this build (this archive URL's, not another bucket's at the same
     * path) installed {@code file}, and with which of the archive's checksums ({@link
     * FileHashes#NONE} when it did not copy it as it is): {@code artifact}'s marker is read first,
     * then the build's others. Empty when no marker of the build lists it.
     */
    public Optional<FileHashes> installedBy(long buildId, String artifact, String file) {
        return listedBy(buildId, marker(buildId, artifact), file);
    }

    /** Whether any artifact of this build installed {@code file}, with the checksums its marker keeps. */
    Optional<FileHashes> installedBy(long buildId, String file) {
        return listedBy(buildId, null, file);
    }

    /** The first marker of the build listing {@code file}, {@code first} (when given) read before the others. */
    private Optional<FileHashes> listedBy(long buildId, Path first, String file) {
        try (Stream<Path> markers = Files.list(markers(buildId))) {
            List<Path> inOrder = Stream.concat(Stream.ofNullable(first), markers.filter(m -> !m.equals(first) && m.toString().endsWith(".files")))
                    .filter(Files::isRegularFile).toList();
            for (Path marker : inOrder) {
                Optional<FileHashes> listing = Marker.listing(marker, file);
                if (listing.isPresent()) {
                    return listing;
                }
            }
        } catch (IOException noMarkers) {
            // no marker directory: nothing of this build is staged
        }
        return Optional.empty();
    }

    /**
     * Staged on disk: the marker exists and the files it names to check (all of a small artifact's,
     * a fixed sample of a large one's) still exist, so this costs the same for any artifact.
     */
    public boolean onDisk(long buildId, String buildPath, String artifact) {
        Path marker = marker(buildId, artifact);
        if (!Files.isRegularFile(marker)) {
            return false;
        }
        try {
            Path build = buildDir(buildPath);
            return Marker.toCheck(marker).stream()
                    .allMatch(f -> Files.exists(build.resolve(f), LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return false;
        }
    }

    /** Bytes free for us on the static dir's filesystem. */
    long usableBytes() {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Bytes the files under a build's directory take (links count as themselves, not their targets). */
    long measure(String buildPath) throws IOException {
        Path dir = buildDir(buildPath);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0; // removed while we walked
                }
            }).sum();
        }
    }

    /** Removes a build's files and markers (clean, eviction). */
    public void removeBuild(long buildId, String buildPath) throws IOException {
        deleteTree(markers(buildId));
        deleteTree(buildDir(buildPath));
    }

    /**
     * Startup: attempts that died with an earlier run leave work dirs, and jobs that ended leave
     * partial downloads; both go. Work dirs of jobs running on another live node stay: on a
     * shared volume that node is using them.
     */
    public void cleanLeftovers(Set<Long> activeJobIds, Set<Long> runningElsewhere) throws IOException {
        try (Stream<Path> work = Files.list(internal("work"))) {
            for (Path dir : work.toList()) {
                if (!runningElsewhere.contains(jobIdOf(dir))) {
                    deleteTree(dir);
                }
            }
        }
        try (Stream<Path> partial = Files.list(internal("partial"))) {
            for (Path dir : partial.toList()) {
                if (!activeJobIds.contains(jobIdOf(dir))) {
                    deleteTree(dir);
                }
            }
        }
        deleteTree(internal("tar-index")); // tar indexes as files, before the ledger kept them
    }

    /** The job a scratch dir belongs to ({@code <job>} in partial/, {@code <job>-<attempt>} in work/); -1 for a name of neither form. */
    private static long jobIdOf(Path dir) {
        String name = dir.getFileName().toString();
        int dash = name.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? name : name.substring(0, dash));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
