package dev.stagehand.queue;

import dev.stagehand.common.TaskIds;
import dev.stagehand.db.Database;
import dev.stagehand.db.Nudges;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable job queue: records requests and jobs, starts each runnable job on a worker (at
 * once, from the line in memory, or from its Quartz trigger: {@link WorkerPermits}), and lets
 * callers wait for a request's outcome. Construct, then {@link #start()};
 * {@link #close()} stops running jobs at a safe point and leaves queued ones for the next start.
 * Reads go through {@link #ledger()}.
 */
public final class JobQueue implements AutoCloseable {
    private static final String PRUNE_CHORE = "prune-history";
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    private final Clock clock;
    private final QueueConfig config;
    private final Stores stores;
    private final LedgerQueries ledger;
    private final BuildLedger buildLedger;
    private final Nodes nodes;
    /** Alone, reconciliation is a safety net; sharing the database, it is how a dead node's jobs are found. */
    private final Duration reconcileEvery;
    private final RequestWaiters waiters;
    private final JobExecutor executor;
    private final QuartzWorkers workers;
    private final Reconciler reconciler;
    private volatile QueueEvents events = QueueEvents.NONE;
    private final PruneHistory prune;
    private final WatchUploads uploads;
    private final JobLimits limits;
    private final RequestRecorder recorder;
    private final WorkerPermits permits;
    private final StartSteps steps = new StartSteps();
    private final Database database;
    private final Placement placement;
    private final Homes homes;
    private volatile Nudges nudges;
    /** The nudge every node listens for: requests were settled (their waiters may be on any node). */
    private static final String SETTLED = "settled";
    /** Whether a new required job starts at once when a worker is free (off for a queue driven by hand). */
    private volatile boolean startAtOnce;
    private volatile boolean ledgerWarmed;
    /** New jobs of the batch being recorded that started at once, between {@link #startRecorded} and {@link #scheduleRecorded}. */
    private final Set<Long> startedAtOnce = ConcurrentHashMap.newKeySet();
    /**
     * Whether a new required job that finds every worker busy waits in this node's memory for the
     * next free one, rather than getting a trigger: only where no other node could run it (an
     * embedded database has one node). Sharing a database, the trigger is what lets an idle node
     * take the job.
     */
    private final boolean lineUp;
    /** Jobs waiting in memory for a worker (reconciliation leaves them alone). */
    private final Set<Long> lined = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-reconcile");
        t.setDaemon(true);
        return t;
    });

    private JobHandler handler;

    /** A queue whose jobs {@code handler} runs once {@link #start()} is called. */
    public JobQueue(Database database, QueueConfig config, JobHandler handler, Clock clock) {
        this(database, config, clock);
        this.handler = handler;
    }

    /** A queue without its handler yet (the handler may need the queue's stores): see {@link #start(JobHandler, QueueEvents)}. */
    public JobQueue(Database database, QueueConfig config, Clock clock) {
        this.clock = clock;
        this.config = config;
        this.database = database;
        this.placement = config.placement();
        this.nodes = new Nodes(database.dsl(), database.vendor().clustered(), config.nodeTimeout(),
                placement.hashed() ? placement.advertiseUrl() : null);
        nodes.checkPeers(); // before the server cleans its disk or finishes removals another node may own
        this.reconcileEvery = database.vendor().clustered() ? config.nodeTimeout().dividedBy(2) : Duration.ofSeconds(60);
        this.stores = new Stores(database.dsl(), clock, nodes.self(), placement.holder());
        this.homes = new Homes(placement, nodes, stores.builds);
        this.ledger = new LedgerQueries(database.dsl(), nodes, this::runningHere);
        this.buildLedger = new BuildLedger(stores.builds, new DiskLedger(database.dsl(), clock, nodes.self(), placement.holder()), nodes::deadAmong);
        this.waiters = new RequestWaiters(stores.requests, config.waiterPollInterval());
        this.executor = new JobExecutor(stores, ledger, config.retry(), clock, nodes.self(), new Outcomes(), steps);
        this.permits = new WorkerPermits(config.workers());
        this.lineUp = !database.vendor().clustered();
        try {
            this.workers = new QuartzWorkers(database, config.workers(), nodes.self(), placement,
                    (jobId, required) -> {
                        if (!drainingElsewhere()) {
                            permits.run(required, () -> executor.execute(jobId));
                        }
                    }, clock);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the Quartz scheduler", e);
        }
        this.reconciler = new Reconciler(stores, workers, nodes, clock, placement.hashed() ? new Rehoming(stores, nodes) : null,
                lined::contains);
        this.prune = new PruneHistory(database.dsl(), clock, config.keepHistory());
        this.limits = new JobLimits(config.limits(), stores.jobs, clock);
        this.recorder = new RequestRecorder(stores, this::record, new RequestRecorder.AfterCommit() {
            @Override
            public void beforeTelling(List<RequestRecorder.Recorded> recorded) {
                startRecorded(recorded);
            }

            @Override
            public void afterTelling(List<RequestRecorder.Recorded> recorded) {
                scheduleRecorded(recorded);
            }
        });
        this.uploads = new WatchUploads(stores, clock, (jobId, required) -> schedule(jobId, required, clock.instant()));
    }

    /**
     * For tests that drive the queue by hand, as db-scheduler's ManualScheduler does: everything
     * {@link #start(JobHandler, QueueEvents)} does but the Quartz threads. Jobs then run only when
     * {@link #runDue()} is called, judged by the injected clock.
     */
    void startManual() {
        nudges = Nudges.listen(database, Map.of());
        executor.handleWith(handler, QueueEvents.NONE);
        uploads.handleWith(handler);
        nodes.start();
        reconcile();
    }

    /** Runs, in the calling thread, every job due at the injected clock (for {@link #startManual}); returns how many ran. */
    int runDue() {
        Instant now = clock.instant();
        int ran = 0;
        for (JobStore.Runnable job : stores.jobs.runnable()) {
            if (job.nextAttemptAt() == null || !job.nextAttemptAt().isAfter(now)) {
                executor.execute(job.id());
                ran++;
            }
        }
        return ran;
    }

    /** Starts with the handler given at construction. */
    public void start() {
        start(handler, QueueEvents.NONE);
    }

    /**
     * Reconciles (orphans, triggers, stranded requests), then starts the workers running jobs with
     * {@code handler} and telling {@code events} about them.
     */
    public void start(JobHandler handler, QueueEvents events) {
        this.handler = handler;
        this.events = events;
        executor.handleWith(handler, events);
        steps.reportTo(events);
        uploads.handleWith(handler);
        nodes.start();
        Map<String, java.util.function.Consumer<String>> listening = new LinkedHashMap<>();
        listening.put(SETTLED, payload -> waiters.pollSoon());
        if (placement.hashed()) {
            listening.put(placement.holder(), this::nudged);
        }
        nudges = Nudges.listen(database, listening);
        reconcile();
        ledgerWarmed = new LedgerWarmUp(stores, this::record, nodes.self(), placement.holder()).run();
        startAtOnce = true;
        try {
            workers.scheduleChore(PRUNE_CHORE, config.pruneEvery(), Duration.ofMinutes(1), this::pruneQuietly);
            workers.scheduleChore("watch-uploads", WatchUploads.EVERY, WatchUploads.EVERY, this::watchUploadsQuietly);
            workers.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler", e);
        }
        chores.scheduleWithFixedDelay(this::reconcileQuietly, reconcileEvery.toMillis(), reconcileEvery.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Whether the start's warm-up of the ledger's statements ran to its rollback (tests check it). */
    boolean ledgerWarmed() {
        return ledgerWarmed;
    }

    /** One reconciliation pass; returns how many jobs got a trigger. */
    int reconcile() {
        Reconciler.Result result = reconciler.run();
        if (!result.requeued().isEmpty()) { // counted by the node that took them over
            events.attemptsAbandoned(result.requeued().size());
        }
        result.rehomed().forEach(this::nudge);
        if (placement.hashed()) {
            result.requeued().forEach(this::nudge); // a dead node's jobs of copies another node holds: that node schedules them
        }
        waiters.settled(result.settled());
        return result.scheduled();
    }

    /** Deletes history older than the retention period (the hourly chore does this too); returns what went. */
    public PruneHistory.Pruned pruneHistory() {
        return prune.run();
    }

    private void pruneQuietly() {
        try {
            prune.run();
        } catch (RuntimeException e) {
            log.warn("pruning history failed", e);
        }
    }

    /** One look at the builds still uploading (the chore does this every second); for tests driven by the clock. */
    void watchUploads() {
        uploads.run();
    }

    private void watchUploadsQuietly() {
        try {
            uploads.run();
        } catch (RuntimeException e) {
            log.warn("watching uploads failed", e);
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciliation failed", e);
        }
    }

    /** This node's id (the jobs it claims and the attempts it runs name it). */
    public String node() {
        return nodes.self();
    }

    /**
     * Jobs RUNNING on another node that is alive: their work dirs on a shared volume are in use.
     * Alone on its database a node has none (every other node on record is an earlier run).
     */
    public Set<Long> runningOnOtherLiveNodes() {
        Map<Long, String> running = stores.jobs.runningWithClaimant();
        List<String> dead = nodes.deadAmong(running.values().stream().distinct().toList());
        return running.entrySet().stream()
                .filter(e -> e.getValue() != null && !dead.contains(e.getValue()) && !e.getValue().equals(nodes.self()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** Records the HTTP port this node serves on. */
    public void serving(int port) {
        nodes.serving(port);
    }

    /** This node drains and another takes new work: its unstarted jobs move to their builds' new homes rather than start here. */
    private boolean drainingElsewhere() {
        return nodes.draining() && !nodes.ring().isEmpty();
    }

    /** Before the HTTP side closes: with hashed placement, peers stop choosing this node for builds and reads. */
    public void leaveRing() {
        try {
            nodes.leaveRing();
        } catch (RuntimeException e) {
            log.warn("could not leave the ring before stopping; peers find this node gone after the node timeout", e);
        }
    }

    /** Where builds are placed, and how this node is reached when they are hashed. */
    public Placement placement() {
        return placement;
    }

    /** Which node's copy of a build serves it: its home's holder (see {@link Homes}). */
    public Homes homes() {
        return homes;
    }

    /** What a drain came to. */
    public enum Drain {
        /** The node takes no new builds from now on. */
        DRAINING,
        /** Every node shares one volume: there is no ring to leave. */
        SHARED_VOLUME,
        /** No running node has that id. */
        NO_SUCH_NODE
    }

    /** DRAIN: the node takes no new builds (its running jobs finish, its copies stay readable). */
    public Drain drain(String nodeId) {
        if (!placement.hashed()) {
            return Drain.SHARED_VOLUME;
        }
        if (nodeId.length() > Nodes.MAX_ID || !nodes.drain(nodeId)) {
            return Drain.NO_SUCH_NODE;
        }
        chores.execute(this::reconcileQuietly); // its unstarted jobs move now, not at the next pass
        return Drain.DRAINING;
    }

    /** For tests in this package that prune by hand: the periodic pruning (first after a minute) stays out of their counts. */
    void stopPeriodicPruning() throws SchedulerException {
        workers.pauseChore(PRUNE_CHORE);
    }

    /** For tests in this package that simulate a node whose database connection stalls. */
    Nodes nodes() {
        return nodes;
    }

    /** Attempts running on this node now (its downloads in progress). */
    public int runningHere() {
        return executor.running();
    }

    /** What callers may cost (checked by staging's request checks and by {@link #submit}). */
    public dev.stagehand.common.CallerLimits limits() {
        return config.limits();
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Build copies and the disk's account of them: what staging reads, and its only way to change them. */
    public BuildLedger buildLedger() {
        return buildLedger;
    }

    /**
     * Records a request and attaches it to one job per spec (creating jobs as needed), then
     * schedules the new jobs; completes once everything is durable. Requests arriving together
     * are recorded together, in one transaction ({@link RequestRecorder}). An artifact whose last
     * job succeeded and which {@code stillStaged} confirms on disk attaches to that job.
     */
    public CompletableFuture<Submission> submitAsync(long buildId, List<JobSpec> specs, String artifacts, String files,
            Predicate<String> stillStaged) {
        return submitAsync(buildId, specs, artifacts, files, TaskIds.NONE, stillStaged);
    }

    /** {@link #submitAsync}, with the ids of the lab's task that asked, kept with the request. */
    public CompletableFuture<Submission> submitAsync(long buildId, List<JobSpec> specs, String artifacts, String files, TaskIds task,
            Predicate<String> stillStaged) {
        limits.refresh();
        return recorder.record(buildId, specs, artifacts, files, task, stillStaged).thenApply(RequestRecorder.Recorded::submission);
    }

    /** {@link #submitAsync}, waiting for it (tests, and callers that hold a thread anyway). */
    public Submission submit(long buildId, List<JobSpec> specs, String artifacts, String files, Predicate<String> stillStaged) {
        try {
            return submitAsync(buildId, specs, artifacts, files, stillStaged).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Requests alike, in the batch's transaction, with their build's row locked ({@code
     * buildReady}: READY, not being removed): a row each, attached to the same jobs.
     */
    private List<RequestRecorder.Recorded> record(Stores tx, List<RequestRecorder.Pending> alike, boolean buildReady) {
        RequestRecorder.Pending p = alike.get(0);
        List<Submission.Item> items = new ArrayList<>();
        List<Submission.Item> created = new ArrayList<>();
        List<Long> upgraded = new ArrayList<>();
        // A build being evicted or cleaned has nothing staged worth attaching to.
        Predicate<String> staged = buildReady ? p.stillStaged() : artifact -> false;
        List<Long> ids = tx.requests.createAll(p.buildId(), p.artifacts(), p.files(), alike.stream().map(RequestRecorder.Pending::task).toList());
        for (JobSpec spec : JobSpec.merged(p.specs())) {
            JobStore.Attachment a = attach(tx.jobs, p.buildId(), spec, staged);
            tx.requests.linkAll(ids, a.jobId(), spec.required());
            Submission.Item item = new Submission.Item(a.jobId(), spec.artifact(), spec.required());
            items.add(item);
            if (a.created()) {
                created.add(item);
                limits.check(p.buildId(), created.size()); // throws: back to the requests' savepoint
            } else if (a.upgraded()) {
                upgraded.add(a.jobId());
            }
        }
        if (created.stream().noneMatch(Submission.Item::required)) {
            tx.requests.settle(ids); // everything they require may be staged already (a new required job is not)
        }
        List<RequestRecorder.Recorded> recorded = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) { // the jobs to schedule go with the first only
            recorded.add(new RequestRecorder.Recorded(new Submission(ids.get(i), p.buildId(), List.copyOf(items), i == 0 && !created.isEmpty()),
                    i == 0 ? created : List.of(), i == 0 ? upgraded : List.of()));
        }
        return recorded;
    }

    /**
     * After a batch commits, before its callers are told: their waiters are registered, and a new
     * required job starts at once when a worker is free, rather than when Quartz next looks.
     */
    private void startRecorded(List<RequestRecorder.Recorded> recorded) {
        waiters.registerRecorded(recorded.stream().map(r -> r.submission().requestId()).toList());
        for (RequestRecorder.Recorded r : recorded) {
            limits.created(r.submission().buildId(), r.created().size());
            if (!homes.holdsHere(r.submission().buildId())) {
                continue; // its holder starts it, nudged once the callers are told
            }
            for (Submission.Item item : r.created()) {
                steps.committed(item.jobId());
                if (startAtOnce && item.required() && !drainingElsewhere() && startWithoutTrigger(item.jobId())) {
                    startedAtOnce.add(item.jobId());
                }
            }
        }
    }

    /** Starts the job now if a worker is free, else lines it up for the next one where {@link #lineUp} allows. */
    private boolean startWithoutTrigger(long jobId) {
        if (!lineUp) {
            return permits.startNowIfFree(() -> runAtOnce(jobId));
        }
        lined.add(jobId);
        if (permits.startWhenFree(() -> runAtOnce(jobId))) {
            return true;
        }
        lined.remove(jobId); // the line is full or closed: a trigger
        return false;
    }

    /**
     * A new job started at once has no trigger: its row is what survives a crash (reconciliation
     * re-queues and schedules it, at the next start or on another node). Should the attempt not
     * be tried (the queue stopping) or fail before its claim (the database unreachable), it gets
     * a trigger now, or else from this node's next reconciliation pass (within a minute alone,
     * half the node timeout on a shared database).
     */
    private void runAtOnce(long jobId) {
        boolean tried;
        try {
            tried = executor.execute(jobId);
        } catch (RuntimeException e) {
            log.warn("job {} started at once could not run; it gets a trigger", jobId, e);
            tried = false;
        } finally {
            lined.remove(jobId);
        }
        if (!tried) {
            try {
                scheduleNow(jobId);
            } catch (RuntimeException e) {
                log.warn("job {} waits for the next reconciliation pass for its trigger", jobId, e);
            }
        }
    }

    /**
     * Then every new job not started at once gets its trigger, and upgraded ones a trigger due
     * now; jobs of another node's build copies are its to schedule: it is nudged.
     */
    private void scheduleRecorded(List<RequestRecorder.Recorded> recorded) {
        // Taken out of the set first, whatever happens below.
        Set<Long> atOnce = recorded.stream().flatMap(r -> r.created().stream()).map(Submission.Item::jobId)
                .filter(startedAtOnce::remove).collect(Collectors.toSet());
        Map<Long, Boolean> created = new LinkedHashMap<>();
        Map<String, List<Long>> elsewhere = new LinkedHashMap<>();
        for (RequestRecorder.Recorded r : recorded) {
            long buildId = r.submission().buildId();
            if (homes.holdsHere(buildId)) {
                r.created().stream().filter(item -> !atOnce.contains(item.jobId()))
                        .forEach(item -> created.put(item.jobId(), item.required()));
            } else {
                List<Long> ids = elsewhere.computeIfAbsent(homes.holderOf(buildId), h -> new ArrayList<>());
                r.created().forEach(item -> ids.add(item.jobId()));
                ids.addAll(r.upgraded());
            }
        }
        elsewhere.forEach((holder, ids) -> {
            if (!ids.isEmpty()) {
                nudges.send(holder, JobNudge.payload(ids));
            }
        });
        if (!created.isEmpty()) {
            try {
                workers.scheduleNew(created, clock.instant());
            } catch (SchedulerException e) {
                // The rows are durable; the periodic reconciliation will schedule them.
                log.warn("could not schedule {} new jobs now; reconciliation will", created.size(), e);
            }
        }
        recorded.stream().filter(r -> homes.holdsHere(r.submission().buildId())).forEach(r -> r.upgraded().forEach(this::scheduleNow));
    }

    /** Tells the holder of a job's build copy to schedule it (this node, when it holds it). */
    private void nudge(long jobId) {
        ledger.job(jobId).ifPresent(job -> {
            String holder = homes.holderOf(job.buildId());
            if (holder.equals(placement.holder())) {
                scheduleNow(jobId);
            } else {
                nudges.send(holder, JobNudge.payload(List.of(jobId)));
            }
        });
    }

    /** Another node queued, upgraded or moved jobs of copies this node holds: a trigger each, and a start now when a worker is free. */
    private void nudged(String payload) {
        for (long jobId : JobNudge.jobIds(payload)) {
            ledger.job(jobId).filter(j -> JobStates.isActive(j.state()) && j.state() != JobState.RUNNING).ifPresent(job -> {
                scheduleNow(jobId);
                if (startAtOnce && job.required() && job.nextAttemptAt() == null && !drainingElsewhere()) {
                    permits.startNowIfFree(() -> executor.execute(jobId));
                }
            });
        }
    }

    private JobStore.Attachment attach(JobStore tx, long buildId, JobSpec spec, Predicate<String> stillStaged) {
        return tx.attachOrCreate(buildId, spec.artifact(), spec.required(), config.retry().maxAttempts(), spec.waitDeadline(),
                () -> tx.lastSucceeded(buildId, spec.artifact()).filter(job -> stillStaged.test(spec.artifact())));
    }

    /** Gives an upgraded or retried job a trigger due now (or at its planned time). */
    private void scheduleNow(long jobId) {
        ledger.job(jobId).filter(j -> JobStates.isActive(j.state()) && j.state() != JobState.RUNNING)
                .ifPresent(job -> schedule(jobId, job.required(),
                        job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(clock.instant()) ? job.nextAttemptAt() : clock.instant()));
    }

    private void schedule(long jobId, boolean required, Instant when) {
        try {
            workers.schedule(jobId, required, when);
        } catch (SchedulerException e) {
            // The row is durable; the periodic reconciliation will schedule it.
            log.warn("could not schedule job {} now; reconciliation will", jobId, e);
        }
    }

    /** Completes with the request's outcome once it is decided (committed, so every reader sees it). */
    public CompletableFuture<RequestOutcome> awaitRequest(long requestId) {
        return waiters.await(requestId);
    }

    /** Cancels an active job; the requests it decides settle in the same transaction. */
    public boolean cancel(long jobId) {
        Cancelled cancelled = stores.inTransaction(tx -> tx.jobs.cancel(jobId)
                .map(was -> new Cancelled(was, tx.requests.settleRequestsOf(jobId))).orElse(null));
        if (cancelled == null) {
            return false;
        }
        waiters.settled(cancelled.settled());
        if (cancelled.was() != JobState.RUNNING) {
            executor.discard(jobId); // a running attempt discards its own files when it notices
        }
        return true;
    }

    /** Puts a FAILED job back in the queue with a fresh attempt budget. */
    public boolean retry(long jobId) {
        if (!stores.jobs.operatorRetry(jobId)) {
            return false;
        }
        nudge(jobId);
        return true;
    }

    private record Cancelled(JobState was, Map<Long, RequestOutcome> settled) {}

    /** For tests in this package that check retry delays: the jitter drawn from {@code seed}. */
    void seedRetryJitter(long seed) {
        executor.seedJitter(seed);
    }

    /** For tests in this package that need to break the Quartz side on purpose. */
    QuartzWorkers workers() {
        return workers;
    }

    /** Jobs waiting in this node's memory for a worker (tests). */
    int jobsWaitingForAWorker() {
        return permits.lined();
    }

    /** For tests in this package that count the transactions requests were recorded in. */
    RequestRecorder recorder() {
        return recorder;
    }

    /** For tests in this package that interleave the ledger's transactions by hand. */
    Stores stores() {
        return stores;
    }

    @Override
    public void close() {
        recorder.close();
        if (nudges != null) {
            nudges.close();
        }
        stopWithoutInterrupt(chores);
        int dropped = permits.dropLine();
        if (dropped > 0) {
            log.info("{} job(s) waiting for a worker stay queued; the next start schedules them", dropped);
        }
        executor.stop();
        permits.close();
        try {
            workers.shutdown();
        } catch (SchedulerException e) {
            log.warn("Quartz shutdown failed", e);
        }
        waiters.close();
        nodes.close();
    }

    /**
     * Never interrupt a thread that may be inside H2: an interrupt during a file write closes
     * H2's file channel and with it the whole database.
     */
    static void stopWithoutInterrupt(ScheduledExecutorService service) {
        service.shutdown();
        try {
            service.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Outcomes implements JobExecutor.Outcomes {
        @Override
        public void runAgainAt(long jobId, boolean required, Instant when) {
            schedule(jobId, required, when);
        }

        @Override
        public void settled(Map<Long, RequestOutcome> requests) {
            waiters.settled(requests);
            if (!requests.isEmpty() && nudges != null) {
                nudges.send(SETTLED, ""); // callers blocked on other nodes hear it now, not at their next poll
            }
        }
    }
}
