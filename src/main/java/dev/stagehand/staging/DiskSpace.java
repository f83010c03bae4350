package dev.stagehand.staging;

import dev.stagehand.common.Sizes;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.queue.BuildStore;
import dev.stagehand.queue.DiskLedger;
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
 * go, the job fails at once with the sizes. The decisions are the database's ({@link DiskLedger}).
 */
public final class DiskSpace {
    private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);

    private final StagingArea area;
    private final DiskLedger ledger;
    private final BuildStore builds;
    private final ActiveReads reads;
    private final BuildAccess access;
    private final DiskQuota quota;
    private volatile LongConsumer onEviction = bytes -> {};
    private volatile long lastStagedBytes;

    public DiskSpace(StagingArea area, DiskLedger ledger, BuildStore builds, ActiveReads reads, BuildAccess access, DiskQuota quota) {
        this.area = area;
        this.ledger = ledger;
        this.builds = builds;
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
        long bytes = ledger.stagedBytes();
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

    /** What one decision under the lock came to: room made, a build to evict first, or no way. */
    private record Decision(boolean fits, DiskLedger.Candidate evict, String refusal) {}

    /**
     * Reserves {@code total} bytes in all for a running job of build {@code buildId}; {@code adding}
     * of them are new (the rest were reserved for its earlier objects or are on disk already).
     */
    void reserve(long jobId, long buildId, long total, long adding, String what) throws StagingFailure, IOException {
        checkDatabaseDisk(what);
        access.flush(); // eviction may choose below: the order of builds must be exact
        while (true) {
            Decision d = ledger.locked(locked -> decide(locked, jobId, buildId, total, adding, what));
            if (d.fits()) {
                return;
            }
            if (d.evict() == null) {
                throw new StagingFailure(StagingFailure.Kind.PERMANENT, d.refusal());
            }
            evict(d.evict(), "to make room for " + what + " (" + Sizes.of(adding) + ")");
        }
    }

    private Decision decide(DiskLedger.Locked locked, long jobId, long buildId, long total, long adding, String what) {
        DiskLedger.InFlight others = locked.inFlight(jobId);
        long staged = locked.stagedBytes();
        long free = area.usableBytes() - others.unwritten();
        if (fits(staged + others.reserved() + total, free - adding)) {
            locked.reserve(jobId, total);
            return new Decision(true, null, null);
        }
        List<DiskLedger.Candidate> candidates = locked.candidates(buildId).stream()
                .filter(c -> !reads.underway(c.buildPath())).toList();
        long evictable = candidates.stream().mapToLong(DiskLedger.Candidate::stagedBytes).sum();
        if (fits(staged - evictable + others.reserved() + total, free + evictable - adding)) {
            for (DiskLedger.Candidate c : candidates) {
                if (locked.beginEviction(c)) {
                    return new Decision(false, c, null);
                }
            }
        }
        return new Decision(false, null, "no room for " + what + " (" + Sizes.of(adding) + "): "
                + Sizes.of(staged) + " staged and " + Sizes.of(others.reserved()) + " in flight"
                + (quota.maxStagedBytes() == null ? "" : " of a " + Sizes.of(quota.maxStagedBytes()) + " quota")
                + ", " + Sizes.of(Math.max(0, free)) + " free with " + Sizes.of(quota.minFreeBytes()) + " to be kept free"
                + "; evicting every build not in use or being read would free only " + Sizes.of(evictable));
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

    /** Whether {@code staged} bytes are within the quota and {@code free} bytes leave the reserve. */
    private boolean fits(long staged, long free) {
        return (quota.maxStagedBytes() == null || staged <= quota.maxStagedBytes()) && free >= quota.minFreeBytes();
    }

    private void evict(DiskLedger.Candidate c, String reason) throws IOException {
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
            DiskLedger.Candidate next = ledger.locked(locked -> {
                if (locked.stagedBytes() <= quota.maxStagedBytes()) {
                    return null;
                }
                return locked.candidates(buildId).stream()
                        .filter(c -> !reads.underway(c.buildPath()) && locked.beginEviction(c)).findFirst().orElse(null);
            });
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
    public void recover(List<BuildStore.UnfinishedRemoval> unfinished) throws IOException {
        for (BuildStore.UnfinishedRemoval r : unfinished) {
            long freed = area.measure(r.buildPath());
            area.removeBuild(r.buildId(), r.buildPath());
            builds.endRemoval(r.buildId(), r.state() == BuildState.EVICTING ? "eviction finished after a restart" : null, freed);
            log.info("finished the {} of build {} that an earlier run left half done", r.state(), r.buildPath());
        }
        for (BuildStore.StagedBuild b : builds.unmeasured()) {
            if (Files.isDirectory(area.buildDir(b.buildPath()))) {
                builds.setStagedBytes(b.buildId(), area.measure(b.buildPath()));
            }
        }
    }
}
