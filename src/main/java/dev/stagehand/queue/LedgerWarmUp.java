package dev.stagehand.queue;

import dev.stagehand.common.TaskIds;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, once as the queue starts, what the first stage request and its job's attempt write: a
 * build row, the request recorded as the recorder does, its job claimed with an attempt, the
 * room its download reserves, its end, and the request settled, in one transaction that is
 * rolled back. On a server just started each of those first took 40 to 70 ms (classes loaded,
 * jOOQ rendering and H2's parsing for the first time; PostgreSQL's prepared statements are per
 * connection, so there only one connection gains that part), and a device waiting for its first
 * byte paid for all of them. Nothing stays: only the ids the rows drew are skipped, as any
 * rollback skips them. It touches no row another node could hold: its build is its node's own
 * (nodes starting together do not wait on each other's key), and the disk's facts are read
 * without the disk's lock.
 */
final class LedgerWarmUp {
    private static final Logger log = LoggerFactory.getLogger(LedgerWarmUp.class);
    /** Under a build path no request can name (a leading dot is refused), so no real row is ever touched. */
    static final String BUILD_PATH = ".stagehand-warm-up";

    private final Stores stores;
    private final RequestRecorder.Recording recording;
    private final String node;
    private final String holder;

    LedgerWarmUp(Stores stores, RequestRecorder.Recording recording, String node, String holder) {
        this.stores = stores;
        this.recording = recording;
        this.node = node;
        this.holder = holder;
    }

    /** True once it ran to its rollback; never throws: a warm-up that fails only leaves the first request slower. */
    boolean run() {
        long started = System.nanoTime();
        try {
            stores.inTransaction(tx -> {
                long buildId = tx.builds.id("gs://" + BUILD_PATH + "/" + node, BUILD_PATH + "/" + node, holder);
                boolean ready = tx.builds.lockForRequest(buildId);
                RequestRecorder.Pending request = new RequestRecorder.Pending(buildId, List.of(new JobSpec("warm_up", true, null)),
                        "warm_up", "", TaskIds.NONE, artifact -> false, new CompletableFuture<>());
                List<RequestRecorder.Recorded> recorded = tx.inTransaction(savepoint -> recording.record(savepoint, List.of(request), ready));
                long jobId = recorded.get(0).submission().jobIds().get(0);
                Claim claim = tx.jobs.claim(jobId, node).claim().orElseThrow(() -> new IllegalStateException("the warm-up job was not claimed"));
                tx.jobs.startAttempt(claim, node + "/warm-up");
                LockedDisk disk = tx.diskWithoutLock(); // the room a download reserves
                disk.inFlight(jobId);
                disk.copies(buildId);
                disk.reserve(jobId, disk.stagedBytes());
                tx.jobs.finish(claim, JobTransition.Ending.SUCCEED, null);
                tx.jobs.endAttempt(claim, AttemptTransition.SUCCEED, null);
                tx.requests.settleRequestsOf(jobId);
                throw new RolledBack();
            });
            return false; // not reached: the work always ends by rolling back
        } catch (RolledBack expected) {
            log.info("warmed the ledger's statements in {} ms (rolled back)", (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (RuntimeException e) {
            log.warn("warming the ledger's statements failed; the first request will be slower", e);
            return false;
        }
    }

    /** Ends the warm-up's transaction: jOOQ rolls back on any exception. */
    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super("warm-up done", null, false, false);
        }
    }
}
