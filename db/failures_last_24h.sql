-- Jobs that failed in the last 24 hours, newest first, with the reason.
SELECT job_id, archive_url, artifact, attempts, finished_at, last_error
FROM job_history
WHERE state = 'FAILED' AND finished_at > DATEADD('HOUR', -24, CURRENT_TIMESTAMP)
ORDER BY finished_at DESC
