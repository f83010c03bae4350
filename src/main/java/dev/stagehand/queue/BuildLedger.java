package dev.stagehand.queue;

import dev.stagehand.db.types.BuildState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The queue's door for build copies and the disk's account of them (their staged bytes, and the
 * bytes running jobs reserved): everything staging reads of build rows, and the only way it
 * changes them. Each change is one of {@link BuildTransition}'s guarded moves or an UPDATE that
 * cannot move a state (made by the package-private {@code BuildStore} and {@code DiskLedger}, and
 * by {@link LockedDisk} under the disk lock); the stores stay inside the queue, as the job and
 * request stores do.
 */
public final class BuildLedger {
    /**
     * One node's copy of a build: when something staged on its disk last succeeded (null: nothing
     * is), whether a job is under way for it, and when its files were last removed.
     */
    public record Copy(long buildId, String buildPath, String holder, Instant stagedAt, boolean active, Instant emptiedAt) {
        public boolean staged() {
            return stagedAt != null;
        }
    }

    /** A build copy of this node by id and path. */
    public record StagedBuild(long buildId, String buildPath) {}

    /** A copy left out of READY (being evicted or cleaned), with the node that is doing it. */
    public record UnfinishedRemoval(long buildId, String buildPath, BuildState state, String node) {}

    /** How an attempt to take a build out of READY went. */
    public enum Removal { STARTED, BUILD_BUSY, JOB_RUNNING, JOB_ACTIVE, READ_SINCE }

    /** A READY copy of this node that holds bytes, as eviction sees it: whether a job of it is active, and when it was last read. */
    public record Candidate(long buildId, String buildPath, long stagedBytes, Instant lastAccess, boolean active) {}

    /** Other running jobs' reservations: in all, and what they have yet to write to disk. */
    public record InFlight(long reserved, long unwritten) {}

    private final BuildStore builds;
    private final DiskLedger disk;
    private final Function<List<String>, List<String>> deadAmong;

    BuildLedger(BuildStore builds, DiskLedger disk, Function<List<String>, List<String>> deadAmong) {
        this.builds = builds;
        this.disk = disk;
        this.deadAmong = deadAmong;
    }

    /** The row of the build's copy at {@code holder} (see {@link Homes#homeOf}), created on first use. */
    public long copyId(String archiveUrl, String buildPath, String holder) {
        return builds.id(archiveUrl, buildPath, holder);
    }

    public Optional<Long> find(String archiveUrl, String holder) {
        return builds.find(archiveUrl, holder);
    }

    /** This node's build copies whose directory holds {@code path} (relative to the static dir). */
    public List<StagedBuild> containing(String path) {
        return builds.containing(path);
    }

    /** This node's build copies staged at a path (several archive URLs may share one, from different buckets). */
    public List<Long> idsAtPath(String buildPath) {
        return builds.idsAtPath(buildPath);
    }

    /** Every node's copies of the build whose directory holds {@code path}. */
    public List<Copy> copiesContaining(String path) {
        return builds.copiesContaining(path);
    }

    /** The copy's artifact succeeded after the copy's files were last removed: it is on the holder's disk. */
    public boolean stagedInLedger(long buildId, String artifact) {
        return builds.stagedInLedger(buildId, artifact);
    }

    /** A known build whose directory contains, or lies inside, {@code buildPath}'s. */
    public Optional<String> nestedWith(String buildPath) {
        return builds.nestedWith(buildPath);
    }

    /** A read of the files under {@code path}: this node's copy was used at {@code when} (eviction goes by it). */
    public void touchContaining(String path, Instant when) {
        builds.touchContaining(path, when);
    }

    /** clean=True: BEGIN_CLEAN, refused while a job of the build runs. */
    public Removal beginClean(long buildId) {
        return builds.beginClean(buildId);
    }

    /** END_REMOVAL: back to READY with nothing staged; an eviction also leaves its record. */
    public void endRemoval(long buildId, String evictionReason, long bytesFreed) {
        builds.endRemoval(buildId, evictionReason, bytesFreed);
    }

    /** Records what a build's directory holds now (measured after an install). */
    public void setStagedBytes(long buildId, long bytes) {
        builds.setStagedBytes(buildId, bytes);
    }

    /** This node's READY copies with no measured size (staged before sizes were kept). */
    public List<StagedBuild> unmeasured() {
        return builds.unmeasured();
    }

    /** Builds whose eviction or clean was cut short by a node that is gone (at startup: an earlier run). */
    public List<UnfinishedRemoval> unfinishedRemovals() {
        List<UnfinishedRemoval> busy = builds.removalsInProgress();
        List<String> dead = deadAmong.apply(busy.stream().map(UnfinishedRemoval::node).distinct().toList());
        return busy.stream().filter(b -> dead.contains(b.node())).toList();
    }

    /** Bytes this node's copies hold (as last measured). */
    public long stagedBytes() {
        return disk.stagedBytes();
    }

    /** Runs {@code decision} in one transaction that holds the disk lock. */
    public <T> T underDiskLock(Function<LockedDisk, T> decision) {
        return disk.locked(decision);
    }
}
