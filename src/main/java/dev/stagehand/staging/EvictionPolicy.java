package dev.stagehand.staging;

import dev.stagehand.common.Sizes;
import dev.stagehand.queue.BuildLedger.Candidate;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one place eviction is decided: whether a download fits the quota and the free space, and
 * when it does not, which build copies may go and in what order. Least recently read first; never
 * a copy with an active job or one being read (the job's own build is not among the facts). Pure:
 * {@link DiskSpace} reads the facts under the disk lock, asks here, and carries the answer out.
 */
final class EvictionPolicy {
    /** The disk as one decision sees it: bytes staged, bytes other running jobs reserved, and free bytes (less what those have yet to write). */
    record Disk(long staged, long reservedByOthers, long free) {}

    /**
     * The answer for one download: it fits; or evict one of {@code evictInOrder} (the first that
     * may still go) and ask again; or no way, said in {@code refusal} (also when none of those may go any more).
     */
    record Decision(boolean fits, List<Candidate> evictInOrder, String refusal) {
        static final Decision FITS = new Decision(true, List.of(), null);
    }

    private final DiskQuota quota;

    EvictionPolicy(DiskQuota quota) {
        this.quota = quota;
    }

    /**
     * Room for a download of {@code total} bytes in all (against the quota), {@code adding} of them
     * new on disk (against the free space); the copies are read only when it does not fit.
     */
    Decision forDownload(Disk disk, long total, long adding, Supplier<List<Candidate>> copies, Predicate<String> beingRead, String what) {
        if (fits(disk.staged() + disk.reservedByOthers() + total, disk.free() - adding)) {
            return Decision.FITS;
        }
        List<Candidate> evictable = evictable(copies.get(), beingRead);
        long freeable = evictable.stream().mapToLong(Candidate::stagedBytes).sum();
        boolean evictingMakesRoom = fits(disk.staged() - freeable + disk.reservedByOthers() + total, disk.free() + freeable - adding);
        return new Decision(false, evictingMakesRoom ? evictable : List.of(), "no room for " + what + " (" + Sizes.of(adding) + "): "
                + Sizes.of(disk.staged()) + " staged and " + Sizes.of(disk.reservedByOthers()) + " in flight"
                + (quota.maxStagedBytes() == null ? "" : " of a " + Sizes.of(quota.maxStagedBytes()) + " quota")
                + ", " + Sizes.of(Math.max(0, disk.free())) + " free with " + Sizes.of(quota.minFreeBytes()) + " to be kept free"
                + "; evicting every build not in use or being read would free only " + Sizes.of(freeable));
    }

    /** After an extraction overshot the quota: the copies to evict, one at a time, until it holds again (none while it holds). */
    List<Candidate> overQuota(long staged, Supplier<List<Candidate>> copies, Predicate<String> beingRead) {
        if (quota.maxStagedBytes() == null || staged <= quota.maxStagedBytes()) {
            return List.of();
        }
        return evictable(copies.get(), beingRead);
    }

    /** The copies that may go, least recently read first. */
    static List<Candidate> evictable(List<Candidate> copies, Predicate<String> beingRead) {
        return copies.stream().filter(c -> !c.active() && !beingRead.test(c.buildPath()))
                .sorted(Comparator.comparing(Candidate::lastAccess).thenComparingLong(Candidate::buildId)).toList();
    }

    /** Whether {@code staged} bytes are within the quota and {@code free} bytes leave the reserve. */
    private boolean fits(long staged, long free) {
        return (quota.maxStagedBytes() == null || staged <= quota.maxStagedBytes()) && free >= quota.minFreeBytes();
    }
}
