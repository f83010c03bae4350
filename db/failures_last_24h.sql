-- Jobs that failed in the last 24 hours, newest first, with the reason.
SELECT job_id, archive_url, artifact, attempts, finished_at, last_error
FROM job_history
WHERE state = 'FAILED' AND finished_at > CURRENT_TIMESTAMP - INTERVAL '24' HOUR
ORDER BY finished_at DESC
