package dev.stagehand.staging;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.Homes;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answer to is_staged (and to a stage call's first question): staged, not staged, or failed
 * with reasons. Hot calls skip the database: a build's id and the artifacts that once succeeded
 * never change (retention keeps a build's latest success), and an artifact found not staged is
 * believed for {@link #NOT_STAGED_FOR_NANOS}, so a thousand callers asking at once cost one read;
 * whether the files are still on disk is checked on every call.
 */
final class IsStaged {
    /** How long "not staged" is believed without asking the ledger again. */
    static final long NOT_STAGED_FOR_NANOS = 250_000_000L;
    private static final int MOST_REMEMBERED = 10_000;

    /** The answer: staged, not staged, or failed with reasons. */
    record Status(boolean staged, List<String> failures) {}

    private record Staged(long buildId, String key) {}

    /** An artifact found not staged, with the failure it reported (or null), until {@code until} (nanoTime). */
    private record NotStaged(String failure, long until) {}

    private final Ledger ledger;
    private final BuildLedger builds;
    private final StagingArea area;
    private final Homes homes;
    private final Map<String, Long> buildIds = new ConcurrentHashMap<>();
    private final Set<Staged> succeeded = ConcurrentHashMap.newKeySet();
    private final Map<Staged, NotStaged> notStaged = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Staged, NotStaged> eldest) {
            return size() > MOST_REMEMBERED;
        }
    });

    IsStaged(Ledger ledger, BuildLedger builds, StagingArea area, Homes homes) {
        this.ledger = ledger;
        this.builds = builds;
        this.area = area;
        this.homes = homes;
    }

    /** Staged means staged on the copy at the build's home now (with hashed placement, a moved home stages it again). */
    Status of(BuildRef build, List<StageTarget> targets) {
        String home = homes.homeOf(build.path());
        String copy = home + "\n" + build.url().url();
        Long buildId = buildIds.get(copy);
        if (buildId == null) {
            Optional<Long> found = builds.find(build.url().url(), home);
            if (found.isEmpty()) {
                return new Status(false, List.of());
            }
            buildId = found.get();
            buildIds.put(copy, buildId);
        }
        boolean staged = true;
        List<String> failures = new ArrayList<>();
        for (StageTarget target : targets) {
            Staged key = new Staged(buildId, target.key());
            if (succeeded.contains(key) && onDisk(buildId, build, target.key())) {
                continue;
            }
            NotStaged known = notStaged.get(key);
            if (known == null || System.nanoTime() - known.until() > 0) {
                known = ask(build, buildId, key); // null: it succeeded and its files are there
            }
            if (known != null) {
                staged = false;
                if (known.failure() != null) {
                    failures.add(known.failure());
                }
            }
        }
        return new Status(staged, failures);
    }

    /** These artifacts of the build just succeeded (a request for them settled so): believe it at once. */
    void succeeded(long buildId, List<String> keys) {
        for (String key : keys) {
            Staged staged = new Staged(buildId, key);
            succeeded.add(staged);
            notStaged.remove(staged);
        }
    }

    /** Whether the copy's disk holds the artifact: this node's disk is looked at, another's is taken from the ledger. */
    private boolean onDisk(long buildId, BuildRef build, String key) {
        return homes.holdsHere(buildId) ? area.onDisk(buildId, build.path(), key) : builds.stagedInLedger(buildId, key);
    }

    /** The ledger's word on one artifact: null when staged, else why not (remembered for a moment). */
    private NotStaged ask(BuildRef build, long buildId, Staged key) {
        Optional<JobView> latest = ledger.latest(buildId, key.key());
        String failure = latest.isPresent() && latest.get().state() == JobState.FAILED
                ? key.key() + ": " + latest.get().lastError() : null;
        boolean everSucceeded = latest.isPresent() && ledger.hasSucceeded(buildId, key.key());
        if (everSucceeded) {
            succeeded.add(key);
        }
        if (everSucceeded && onDisk(buildId, build, key.key())) {
            notStaged.remove(key);
            return null;
        }
        NotStaged answer = new NotStaged(failure, System.nanoTime() + NOT_STAGED_FOR_NANOS);
        notStaged.put(key, answer);
        return answer;
    }
}
