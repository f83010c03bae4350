-- Views for operators (see db/ and README). Plain SQL over the ledger tables.
-- [jooq ignore start]

-- Every job with its build, newest first: the starting point for most questions.
CREATE VIEW job_history AS
SELECT j.id            AS job_id,
       b.archive_url,
       b.build_path,
       j.artifact,
       j.state,
       j.required,
       j.attempts,
       j.last_error,
       j.bytes_done,
       j.bytes_total,
       j.created_at,
       j.started_at,
       j.finished_at,
       DATEDIFF('MILLISECOND', j.started_at, j.finished_at) AS duration_ms
FROM job j JOIN build b ON b.id = j.build_id;

-- Every attempt with its job and build.
CREATE VIEW attempt_history AS
SELECT a.job_id, b.archive_url, j.artifact, a.attempt_no, a.outcome, a.error, a.worker,
       a.started_at, a.finished_at,
       DATEDIFF('MILLISECOND', a.started_at, a.finished_at) AS duration_ms
FROM job_attempt a JOIN job j ON j.id = a.job_id JOIN build b ON b.id = j.build_id;

-- Queue depth by state.
CREATE VIEW queue_depth AS
SELECT state, COUNT(*) AS jobs FROM job GROUP BY state;

-- The read-only account of the `sql` command is made by the server itself, with a random
-- password kept beside the database (dev.stagehand.db.Database): no password is written here.
-- [jooq ignore stop]
