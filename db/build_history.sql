-- History of one build: every job and every attempt, oldest first.
-- Edit the archive URL. Usage: java -jar target/stagehand.jar sql "$(cat db/build_history.sql)"
SELECT h.job_id, h.artifact, h.state, h.required, a.attempt_no, a.outcome, a.error, a.started_at, a.duration_ms
FROM job_history h
LEFT JOIN attempt_history a ON a.job_id = h.job_id
WHERE h.archive_url = 'gs://chromeos-image-archive/eve-release/R78-12499.0.0'
ORDER BY h.job_id, a.attempt_no
