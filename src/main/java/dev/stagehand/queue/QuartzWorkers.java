package dev.stagehand.queue;

import dev.stagehand.db.Database;
import dev.stagehand.db.Vendor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz with its JDBC job store in our database: one Quartz job per job row (keyed by the row
 * id), a one-shot trigger per attempt. Quartz gives us worker threads, timers for delayed
 * retries and crash recovery; the job table stays the record of what happened.
 */
final class QuartzWorkers {
    static final String SCHEDULER_NAME = "stagehand";
    private final String dataSourceName = "stagehand-" + UUID.randomUUID();
    private static final String GROUP = "jobs";
    private static final String CHORES = "chores";
    private final Map<String, Runnable> chores = new ConcurrentHashMap<>();
    static final int REQUIRED_PRIORITY = 10;
    static final int OPTIONAL_PRIORITY = 1;

    private final Scheduler scheduler;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong jobTriggersAdded = new java.util.concurrent.atomic.AtomicLong();

    /** Runs one attempt of a job, by its row id; {@code required}: its trigger has the required jobs' priority. */
    interface Attempt {
        void run(long jobId, boolean required);
    }

    QuartzWorkers(Database database, int workers, String node, Placement placement, Attempt attempt, Clock clock)
            throws SchedulerException {
        this.clock = clock;
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PoolProvider(database.dataSource()));
        String name = schedulerName(placement);
        Properties p = properties(database.vendor(), workers, dataSourceName, node);
        p.setProperty("org.quartz.scheduler.instanceName", name);
        scheduler = new StdSchedulerFactory(p).getScheduler();
        // Quartz hands out one scheduler per name per JVM; the name must stay fixed (it keys the
        // rows in QRTZ_ tables that crash recovery reads), so take this instance out of the
        // registry to let a second server in the same JVM (tests) have its own.
        SchedulerRepository.getInstance().remove(name);
        scheduler.setJobFactory((bundle, sched) -> bundle.getJobDetail().getKey().getGroup().equals(CHORES)
                ? new Chore(chores.get(bundle.getJobDetail().getKey().getName())) : new RunJob(attempt));
    }

    /**
     * Our scheduler settings; the queue benchmark runs bare Quartz with them as its baseline. On a
     * shared database Quartz runs as a cluster, each node with its own instance id (ours: unique
     * per start, logged); alone, the id stays fixed, so Quartz's own recovery finds its rows.
     */
    static Properties properties(Vendor vendor, int workers, String dataSource, String node) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", vendor.clustered() ? node : "local");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", String.valueOf(workers));
        p.setProperty("org.quartz.threadPool.class", QuartzThreadPool.class.getName()); // stops at once
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(workers));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        // New jobs' triggers go in without Quartz's scheduler-wide lock (on PostgreSQL a row lock
        // shared by the cluster), which would make each enqueue wait for the trigger acquisition in
        // progress on any node: a job not there yet is one nothing else can delete. A trigger for a
        // job that may exist goes in under the lock (schedule(): replacing takes it).
        p.setProperty("org.quartz.jobStore.lockOnInsert", "false");
        vendor.quartz(p);
        return p;
    }

    /**
     * One scheduler for the shared volume; with hashed placement one per holder, named after its
     * advertise URL (stable across restarts): a clustered Quartz fires a trigger on any node of
     * its scheduler, and a build copy's jobs must run where its disk is. Another node queues work
     * for a holder through the ledger and a nudge; the holder adds the triggers.
     */
    static String schedulerName(Placement placement) {
        return placement.hashed() ? SCHEDULER_NAME + "@" + dev.stagehand.common.ShortHash.hex(placement.holder(), 8) : SCHEDULER_NAME;
    }

    static JobKey jobKey(long jobId) {
        return JobKey.jobKey(Long.toString(jobId), GROUP);
    }

    /**
     * Adds a one-shot trigger for the job at {@code when}; extra triggers are harmless (claims are
     * guarded). Quartz fires by time first and priority second, so a trigger due now is dated to
     * the start of its second, and a required one two seconds earlier: required jobs overtake
     * optional ones queued in the last seconds, and ties go to the higher priority. Triggers ignore
     * misfires: a job waiting in a backlog is simply late, and Quartz's misfire handling (20
     * triggers per pass) would otherwise throttle a long queue.
     *
     * <p>{@code when} is in the ledger's time (the injected clock); Quartz fires by the system
     * clock, so the trigger is set the same delay ahead of the system clock's now.
     */
    void schedule(long jobId, boolean required, Instant when) throws SchedulerException {
        JobDetail detail = detail(jobId);
        // The job's Quartz job may be there (a retry planned while it runs) or going: Quartz deletes
        // it (kept only while it has triggers) as its last fired trigger completes. A trigger added
        // meanwhile without Quartz's lock was left without its job on H2, whose foreign key does
        // not hold against a concurrent delete, and Quartz then failed every acquisition: the node
        // fired nothing more. On PostgreSQL the key held, but Quartz's completion failed on it and
        // retried 15 s later, holding a worker (TriggerRaceTest, on both). Replacing stores the job
        // and its trigger in one transaction under the lock, whichever way the race went.
        scheduler.scheduleJob(detail, Set.of(trigger(detail, jobId, required, when)), true);
        jobTriggersAdded.incrementAndGet();
    }

    /**
     * Schedules jobs that were just created, due now, in one Quartz transaction rather than one
     * per job (a herd's batch of new jobs), without Quartz's lock: new job ids have no Quartz job
     * yet, so none can be deleted meanwhile. Should one exist after all, each job is scheduled on
     * its own instead, under the lock.
     */
    void scheduleNew(Map<Long, Boolean> requiredByJob, Instant when) throws SchedulerException {
        Map<JobDetail, Set<? extends Trigger>> all = new LinkedHashMap<>();
        requiredByJob.forEach((jobId, required) -> {
            JobDetail detail = detail(jobId);
            all.put(detail, Set.of(trigger(detail, jobId, required, when)));
        });
        try {
            scheduler.scheduleJobs(all, false);
            jobTriggersAdded.addAndGet(all.size());
        } catch (ObjectAlreadyExistsException exists) {
            for (var job : requiredByJob.entrySet()) {
                schedule(job.getKey(), job.getValue(), when);
            }
        }
    }

    private static JobDetail detail(long jobId) {
        return JobBuilder.newJob(RunJob.class).withIdentity(jobKey(jobId)).requestRecovery(true).build();
    }

    private Trigger trigger(JobDetail detail, long jobId, boolean required, Instant when) {
        Duration delay = Duration.between(clock.instant(), when);
        Instant systemNow = Instant.ofEpochMilli(System.currentTimeMillis());
        Instant fireAt = delay.isNegative() || delay.isZero()
                ? systemNow.truncatedTo(ChronoUnit.SECONDS).minusSeconds(required ? 2 : 0)
                : systemNow.plus(delay);
        return TriggerBuilder.newTrigger()
                .withIdentity(jobId + "-" + UUID.randomUUID(), GROUP)
                .forJob(detail)
                .withPriority(required ? REQUIRED_PRIORITY : OPTIONAL_PRIORITY)
                .startAt(Date.from(fireAt))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionIgnoreMisfires())
                .build();
    }

    /** Triggers added for jobs so far, chores' aside (tests count them). */
    long jobTriggersAdded() {
        return jobTriggersAdded.get();
    }

    /**
     * Whether the job has a trigger that will still fire. A one-shot trigger that fired stays in
     * Quartz's tables (state COMPLETE) until its execution returns; counting it would leave a job
     * taken over from a stalled node without a trigger for as long as that node's thread hangs.
     */
    boolean hasTrigger(long jobId) throws SchedulerException {
        for (Trigger trigger : scheduler.getTriggersOfJob(jobKey(jobId))) {
            Trigger.TriggerState state = scheduler.getTriggerState(trigger.getKey());
            if (state == Trigger.TriggerState.NORMAL || state == Trigger.TriggerState.BLOCKED
                    || state == Trigger.TriggerState.PAUSED) {
                return true;
            }
        }
        return false;
    }

    void unschedule(long jobId) throws SchedulerException {
        scheduler.deleteJob(jobKey(jobId));
    }

    /**
     * A repeating chore (history pruning): a durable Quartz job with its own trigger, run by one
     * node at a time. Its first run is {@code firstAfter} from now.
     */
    void scheduleChore(String name, Duration every, Duration firstAfter, Runnable chore) throws SchedulerException {
        chores.put(name, chore);
        JobDetail detail = JobBuilder.newJob(Chore.class).withIdentity(name, CHORES).storeDurably().build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name, CHORES).forJob(detail)
                .startAt(Date.from(Instant.ofEpochMilli(System.currentTimeMillis()).plus(firstAfter)))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(every.toMillis())
                        .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
        scheduler.scheduleJob(detail, Set.of(trigger), true);
    }

    /** The chore fires no more until this node stops (for tests that run it by hand). */
    void pauseChore(String name) throws SchedulerException {
        scheduler.pauseTrigger(new TriggerKey(name, CHORES));
    }

    void start() throws SchedulerException {
        scheduler.start();
    }

    /** Waits for running attempts, which stop at their next chunk once the queue is stopping. */
    void shutdown() throws SchedulerException {
        scheduler.shutdown(true);
    }

    /** The Quartz job: hands the row id to the executor. */
    static final class RunJob implements Job {
        private final Attempt attempt;

        RunJob(Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void execute(JobExecutionContext context) {
            attempt.run(Long.parseLong(context.getJobDetail().getKey().getName()), context.getTrigger().getPriority() >= REQUIRED_PRIORITY);
        }
    }

    /** A chore's Quartz job; never two runs of one chore at once. */
    @DisallowConcurrentExecution
    static final class Chore implements Job {
        private final Runnable chore;

        Chore(Runnable chore) {
            this.chore = chore;
        }

        @Override
        public void execute(JobExecutionContext context) {
            if (chore != null) {
                chore.run();
            }
        }
    }

    /** Lets Quartz borrow connections from our pool instead of opening its own. */
    private record PoolProvider(DataSource dataSource) implements ConnectionProvider {
        @Override
        public java.sql.Connection getConnection() throws java.sql.SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {}

        @Override
        public void initialize() {}
    }
}
