package dev.stagehand.queue;

import dev.stagehand.db.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable job queue: records requests and jobs, keeps one Quartz trigger per runnable job,
 * and lets callers wait for jobs. Construct, then {@link #start()}; {@link #close()} stops
 * running jobs at a safe point and leaves queued ones for the next start.
 */
public final class JobQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    private static final long RECONCILE_EVERY_SECONDS = 60;

    private final Database database;
    private final Clock clock;
    private final QueueConfig config;
    private final String bootId = UUID.randomUUID().toString();
    private final JobStore jobs;
    private final RequestStore requests;
    private final BuildStore builds;
    private final JobHistory history;
    private final JobWaiters waiters;
    private final JobExecutor executor;
    private final QuartzWorkers workers;
    private final ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-reconcile");
        t.setDaemon(true);
        return t;
    });

    public JobQueue(Database database, QueueConfig config, JobHandler handler, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.config = config;
        this.jobs = new JobStore(database.dsl(), clock);
        this.requests = new RequestStore(database.dsl(), clock);
        this.builds = new BuildStore(database.dsl(), clock);
        this.history = new JobHistory(database.dsl(), jobs);
        this.waiters = new JobWaiters(jobs, config.waiterPollInterval());
        this.executor = new JobExecutor(jobs, handler, config.retry(), clock, bootId, new Outcomes());
        try {
            this.workers = new QuartzWorkers(database.dataSource(), config.workers(), executor);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the Quartz scheduler", e);
        }
    }

    /** Puts orphans back in the queue, gives every runnable job a trigger, then starts the workers. */
    public void start() {
        reconcile();
        try {
            workers.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler", e);
        }
        chores.scheduleWithFixedDelay(this::reconcileQuietly, RECONCILE_EVERY_SECONDS, RECONCILE_EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Startup reconciliation: jobs left RUNNING by a dead process go back to the queue, and any
     * runnable job without a trigger gets one, so no job is stranded.
     */
    public int reconcile() {
        List<Long> orphans = jobs.requeueOrphans(bootId);
        if (!orphans.isEmpty()) {
            log.info("re-queued {} job(s) left running by an earlier process: {}", orphans.size(), orphans);
        }
        int scheduled = 0;
        for (JobRecordView job : jobs.runnable()) {
            try {
                if (!workers.hasTrigger(job.id())) {
                    workers.schedule(job.id(), job.required(), dueTime(job));
                    scheduled++;
                }
            } catch (SchedulerException e) {
                log.warn("could not schedule job {}", job.id(), e);
            }
        }
        return scheduled;
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciliation failed", e);
        }
    }

    private Instant dueTime(JobRecordView job) {
        Instant now = clock.instant();
        return job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(now) ? job.nextAttemptAt() : now;
    }

    /**
     * Records a request and attaches it to one job per spec (creating jobs as needed) in one
     * transaction, then schedules the new jobs. Returns once everything is durable.
     */
    public Submission submit(long buildId, List<JobSpec> specs, String artifacts, String files, StagedCheck staged) {
        List<Submission.Item> items = new ArrayList<>();
        List<Submission.Item> created = new ArrayList<>();
        List<Long> upgraded = new ArrayList<>();
        long requestId = database.dsl().transactionResult(tx -> {
            JobStore txJobs = new JobStore(tx.dsl(), clock);
            RequestStore txRequests = new RequestStore(tx.dsl(), clock);
            long id = txRequests.create(buildId, artifacts, files);
            for (JobSpec spec : JobSpec.merged(specs)) {
                JobStore.Attachment a = attach(txJobs, buildId, spec, staged);
                txRequests.link(id, a.jobId(), spec.required());
                Submission.Item item = new Submission.Item(a.jobId(), spec.artifact(), spec.required());
                items.add(item);
                if (a.created()) {
                    created.add(item);
                } else if (a.upgraded()) {
                    upgraded.add(a.jobId());
                }
            }
            if (created.stream().noneMatch(Submission.Item::required)) {
                txRequests.settle(id); // everything it needs may be staged already
            }
            return id;
        });
        created.forEach(item -> schedule(item.jobId(), item.required(), clock.instant()));
        upgraded.forEach(this::scheduleNow);
        return new Submission(requestId, items);
    }

    private JobStore.Attachment attach(JobStore txJobs, long buildId, JobSpec spec, StagedCheck staged) {
        var succeeded = txJobs.lastSucceeded(buildId, spec.artifact());
        if (succeeded.isPresent() && staged.stillStaged(buildId, spec.artifact())) {
            return new JobStore.Attachment(succeeded.get(), false, false);
        }
        return txJobs.attachOrCreate(buildId, spec.artifact(), spec.required(), config.retry().maxAttempts(), spec.waitDeadline());
    }

    private void scheduleNow(long jobId) {
        jobs.find(jobId).filter(j -> JobState.RUNNABLE.contains(j.state()))
                .ifPresent(job -> schedule(jobId, job.required(), dueTime(job)));
    }

    private void schedule(long jobId, boolean required, Instant when) {
        try {
            workers.schedule(jobId, required, when);
        } catch (SchedulerException e) {
            // The row is durable; the periodic reconciliation will schedule it.
            log.warn("could not schedule job {} now; reconciliation will", jobId, e);
        }
    }

    /** Completes when every given job is terminal. */
    public CompletableFuture<Void> awaitTerminal(Collection<Long> jobIds) {
        return waiters.await(jobIds);
    }

    public boolean cancel(long jobId) {
        if (!jobs.cancel(jobId)) {
            return false;
        }
        ended(jobId);
        return true;
    }

    public boolean retry(long jobId) {
        if (!jobs.retry(jobId)) {
            return false;
        }
        scheduleNow(jobId);
        return true;
    }

    /** For tests in this package that need to break the Quartz side on purpose. */
    QuartzWorkers workers() {
        return workers;
    }

    public JobStore jobs() {
        return jobs;
    }

    public BuildStore builds() {
        return builds;
    }

    public JobHistory history() {
        return history;
    }

    public RequestStore requests() {
        return requests;
    }

    private void ended(long jobId) {
        requests.settleRequestsOf(jobId);
        waiters.jobEnded(jobId);
    }

    @Override
    public void close() {
        stopWithoutInterrupt(chores);
        executor.stop();
        try {
            workers.shutdown();
        } catch (SchedulerException e) {
            log.warn("Quartz shutdown failed", e);
        }
        waiters.close();
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
        public void retryAt(JobRecordView job, Instant when) {
            schedule(job.id(), job.required(), when);
        }

        @Override
        public void ended(long jobId) {
            JobQueue.this.ended(jobId);
        }
    }
}
