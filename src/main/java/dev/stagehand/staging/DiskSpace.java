package dev.stagehand.staging;

import dev.stagehand.common.Sizes;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.BuildLedger.Candidate;
import dev.stagehand.queue.LockedDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the staging disk within its {@link DiskQuota}. Before a download, the bytes it needs are
 * reserved against the quota and the free space, evicting whole builds (least recently read
 * first; never one with an active job or one being read) until they fit; when nothing more can
 * go, the job fails at once with the sizes. {@link EvictionPolicy} decides, on facts read under
 * the database's disk lock ({@link LockedDisk}), so two jobs never count the same space twice.
 */
public final class DiskSpace {
    private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);

    private final StagingArea area;
    private final BuildLedger builds;
    private final EvictionPolicy policy;
    private final ActiveReads reads;
    private final BuildAccess access;
    private final DiskQuota quota;
    private volatile LongConsumer onEviction = bytes -> {};
    private volatile long lastStagedBytes;

    public DiskSpace(StagingArea area, BuildLedger builds, ActiveReads reads, BuildAccess access, DiskQuota quota) {
        this.area = area;
        this.builds = builds;
        this.policy = new EvictionPolicy(quota);
        this.reads = reads;
        this.access = access;
        this.quota = quota;
    }

    public DiskQuota quota() {
        return quota;
    }

    /** Called with the bytes each eviction freed (metrics). */
    public void onEviction(LongConsumer listener) {
        onEviction = listener;
    }

    /** Bytes the builds hold, as the ledger has them. */
    public long stagedBytes() {
        long bytes = builds.stagedBytes();
        lastStagedBytes = bytes;
        return bytes;
    }

    /** Reads {@link #stagedBytes()} again (in the background, for answers that must not wait). */
    public void refreshStagedBytes() {
        stagedBytes();
    }

    /** {@link #stagedBytes()} as last read: no database read. */
    public long stagedBytesAsLastRead() {
        return lastStagedBytes;
    }

    public long freeBytes() {
        return area.usableBytes();
    }

    /**
     * Reserves {@code total} bytes in all for a running job of build {@code buildId}; {@code adding}
     * of them are new (the rest were reserved for its earlier objects or are on disk already).
     */
    void reserve(long jobId, long buildId, long total, long adding, String what) throws StagingFailure, IOException {
        checkDatabaseDisk(what);
        access.flush(); // eviction may choose below: the order of builds must be exact
        while (true) {
            Outcome o = builds.underDiskLock(locked -> decide(locked, jobId, buildId, total, adding, what));
            if (o.fits()) {
                return;
            }
            if (o.evicting() == null) {
                throw new StagingFailure(StagingFailure.Kind.PERMANENT, o.refusal());
            }
            evict(o.evicting(), "to make room for " + what + " (" + Sizes.of(adding) + ")");
        }
    }

    /** What one turn under the lock came to: room reserved, a copy taken out of READY to evict first, or no way. */
    private record Outcome(boolean fits, Candidate evicting, String refusal) {}

    private Outcome decide(LockedDisk locked, long jobId, long buildId, long total, long adding, String what) {
        BuildLedger.InFlight others = locked.inFlight(jobId);
        EvictionPolicy.Disk disk = new EvictionPolicy.Disk(locked.stagedBytes(), others.reserved(), area.usableBytes() - others.unwritten());
        EvictionPolicy.Decision d = policy.forDownload(disk, total, adding, () -> locked.copies(buildId), reads::underway, what);
        if (d.fits()) {
            locked.reserve(jobId, total);
            return new Outcome(true, null, null);
        }
        return d.evictInOrder().stream().filter(locked::beginEviction).findFirst()
                .map(c -> new Outcome(false, c, null))
                .orElseGet(() -> new Outcome(false, null, d.refusal()));
    }

    /** With H2 on another filesystem: staging waits (a retry) while that one is short of its reserve. */
    private void checkDatabaseDisk(String what) throws StagingFailure, IOException {
        if (quota.databaseDir() == null) {
            return;
        }
        long free = Files.getFileStore(quota.databaseDir()).getUsableSpace();
        if (free < quota.databaseMinFreeBytes()) {
            throw new StagingFailure(StagingFailure.Kind.NO_SPACE, "not staging " + what + ": the database's disk has "
                    + Sizes.of(free) + " free, below the " + Sizes.of(quota.databaseMinFreeBytes()) + " kept free for it");
        }
    }

    private void evict(Candidate c, String reason) throws IOException {
        long freed = area.measure(c.buildPath());
        area.removeBuild(c.buildId(), c.buildPath());
        builds.endRemoval(c.buildId(), reason, freed);
        log.info("evicted build {} ({}, last read {}) {}", c.buildPath(), Sizes.of(freed), c.lastAccess(), reason);
        onEviction.accept(freed);
    }

    /** After an install: records what the build holds now; evicts others if an extraction overshot the quota. */
    void installed(long buildId, String buildPath) throws IOException {
        builds.setStagedBytes(buildId, area.measure(buildPath));
        if (quota.maxStagedBytes() == null) {
            return;
        }
        access.flush();
        while (true) {
            Candidate next = builds.underDiskLock(locked -> policy.overQuota(locked.stagedBytes(), () -> locked.copies(buildId), reads::underway)
                    .stream().filter(locked::beginEviction).findFirst().orElse(null));
            if (next == null) {
                return;
            }
            evict(next, "to bring the staged bytes back under the quota after " + buildPath + " grew");
        }
    }

    /** clean=True: the build out of READY (refused while a job of it runs), its files removed, back to READY. */
    public void clean(long buildId, String buildPath) throws IOException {
        switch (builds.beginClean(buildId)) {
            case STARTED -> {
                try {
                    area.removeBuild(buildId, buildPath);
                } finally {
                    builds.endRemoval(buildId, null, 0);
                }
            }
            case JOB_RUNNING -> throw new BuildBusy("cannot clean " + buildPath + ": a job of that build is running; try again when it ends");
            default -> throw new BuildBusy("cannot clean " + buildPath + ": it is being evicted or cleaned right now; try again");
        }
    }

    /** At startup: finish removals a dead node left half done, and measure builds staged before sizes were kept. */
    public void recover(List<BuildLedger.UnfinishedRemoval> unfinished) throws IOException {
        for (BuildLedger.UnfinishedRemoval r : unfinished) {
            long freed = area.measure(r.buildPath());
            area.removeBuild(r.buildId(), r.buildPath());
            builds.endRemoval(r.buildId(), r.state() == BuildState.EVICTING ? "eviction finished after a restart" : null, freed);
            log.info("finished the {} of build {} that an earlier run left half done", r.state(), r.buildPath());
        }
        for (BuildLedger.StagedBuild b : builds.unmeasured()) {
            if (Files.isDirectory(area.buildDir(b.buildPath()))) {
                builds.setStagedBytes(b.buildId(), area.measure(b.buildPath()));
            }
        }
    }
}
