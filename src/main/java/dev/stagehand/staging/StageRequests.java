package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerLimits;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.LimitReached;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.queue.BuildLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything a caller sent, checked once and turned into a {@link StageRequest}: the archive URL
 * parsed into its build (carried as that value from here on), the artifact and file names, and
 * the per-request limits. Anything that cannot work is an {@link InvalidRequest} (400) or a
 * {@link LimitReached} (429) before anything is recorded.
 */
public final class StageRequests {
    /** Longest artifact or file name accepted. */
    public static final int MAX_NAME = 255;
    /** Most characters of artifact names, and of file names, in one request (the ledger keeps them). */
    public static final int MAX_NAMES_TOTAL = 3900;
    /** Longest job key of the caching protocol's targets (the ledger's artifact column holds 1024). */
    static final int MAX_TARGET_KEY = 1000;

    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final BuildLedger builds;
    private final CallerLimits limits;
    /** Archive URLs with a build row: checked for nesting once. */
    private final Set<String> knownUrls = ConcurrentHashMap.newKeySet();

    public StageRequests(Catalogue catalogue, ArchiveSources sources, StagingArea area, BuildLedger builds, CallerLimits limits) {
        this.catalogue = catalogue;
        this.sources = sources;
        this.area = area;
        this.builds = builds;
        this.limits = limits;
    }

    /**
     * The build an archive URL names, if stagehand may stage it there: not stagehand's own
     * directory, and neither inside nor around another known build (clean and eviction remove a
     * build's whole directory).
     */
    public BuildRef build(String archiveUrl) {
        BuildRef build = sources.resolve(archiveUrl);
        area.checkBuildPath(build.path());
        Optional<String> nested = knownUrls.contains(build.url().url()) ? Optional.empty() : builds.nestedWith(build.path());
        if (nested.isPresent()) {
            throw new InvalidRequest("archive_url " + CallerText.quote(build.url().url()) + " would be staged at "
                    + CallerText.quote(build.path()) + ", which contains or lies inside the staged build "
                    + CallerText.quote(nested.get()));
        }
        return build;
    }

    /** The build has a row now: its place was checked when it was made, and it holds. */
    void hasRow(BuildRef build) {
        knownUrls.add(build.url().url());
    }

    /** A stage or is_staged request. */
    public StageRequest request(String archiveUrl, List<String> artifacts, List<String> files) {
        BuildRef build = build(archiveUrl);
        if (artifacts.isEmpty() && files.isEmpty()) {
            throw new InvalidRequest("nothing to stage: give artifacts and/or files");
        }
        checkTotal("artifacts", artifacts);
        checkTotal("files", files);
        int items = artifacts.size() + files.size();
        if (items > limits.maxRequestItems()) {
            throw new LimitReached("--max-request-items", "a request may name at most " + limits.maxRequestItems()
                    + " artifacts and files; this one names " + items + ": split it", Duration.ofSeconds(1));
        }
        Set<StageTarget> targets = new LinkedHashSet<>();
        for (String artifact : artifacts) {
            if (!catalogue.knows(artifact)) {
                throw new InvalidRequest("unknown artifact " + CallerText.quote(artifact) + "; known artifacts: "
                        + String.join(", ", catalogue.names()));
            }
            targets.add(new StageTarget.Artifact(artifact));
        }
        for (String file : files) {
            if (file.length() > MAX_NAME || !RelativePaths.isClean(file)) {
                throw new InvalidRequest("invalid file name " + CallerText.quote(file)
                        + ": must be relative, at most " + MAX_NAME + " characters, without '..', empty parts or control characters");
            }
            targets.add(new StageTarget.NamedFile(file));
        }
        return new StageRequest(build, artifacts, files, new ArrayList<>(targets));
    }

    /** The request for one target of the caching protocol (a file, an archive's member, a decompressed object). */
    StageRequest requestFor(String archiveUrl, StageTarget target) {
        if (target.key().length() > MAX_TARGET_KEY) {
            throw new InvalidRequest("the object or member name is too long: at most " + MAX_TARGET_KEY + " characters in all");
        }
        return new StageRequest(build(archiveUrl), List.of(), List.of(target.key()), List.of(target));
    }

    /** The request for the telemetry sources of a build (setup_telemetry); stage its autotest_packages first. */
    public StageRequest telemetryRequest(BuildRef build) {
        return new StageRequest(build, List.of(StageTarget.Telemetry.KEY), List.of(), List.of(new StageTarget.Telemetry()));
    }

    private static void checkTotal(String what, List<String> names) {
        if (names.stream().mapToInt(n -> n.length() + 1).sum() > MAX_NAMES_TOTAL) {
            throw new InvalidRequest(what + " are longer than " + MAX_NAMES_TOTAL + " characters in all");
        }
    }
}
