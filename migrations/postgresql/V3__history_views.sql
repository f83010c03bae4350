-- Views for operators (see db/ and README), the same as h2/V3.

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
       CAST(EXTRACT(EPOCH FROM (j.finished_at - j.started_at)) * 1000 AS BIGINT) AS duration_ms
FROM job j JOIN build b ON b.id = j.build_id;

-- Every attempt with its job and build.
CREATE VIEW attempt_history AS
SELECT a.job_id, b.archive_url, j.artifact, a.attempt_no, a.outcome, a.error, a.worker,
       a.started_at, a.finished_at,
       CAST(EXTRACT(EPOCH FROM (a.finished_at - a.started_at)) * 1000 AS BIGINT) AS duration_ms
FROM job_attempt a JOIN job j ON j.id = a.job_id JOIN build b ON b.id = j.build_id;

-- Queue depth by state.
CREATE VIEW queue_depth AS
SELECT state, COUNT(*) AS jobs FROM job GROUP BY state;

-- No role is made here: the server needs only to own its database, and the `sql` command reads
-- through the owner's connection in a READ ONLY transaction. Read-only access for other tools is
-- a role the operator grants (README: "Running several nodes").
