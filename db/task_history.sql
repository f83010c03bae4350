-- What one lab task asked for, and how each job ended: its X-SWARMING-TASK-ID (or filter on bbid).
-- Edit the task id. Usage: java -jar target/stagehand.jar sql "$(cat db/task_history.sql)"
SELECT r.request_id, r.created_at AS asked_at, r.bbid, h.archive_url, h.artifact, h.state, h.attempts, h.last_error
FROM job_requests r
JOIN job_history h ON h.job_id = r.job_id
WHERE r.swarming_task_id = '5f0a1b2c3d4e5f10'
ORDER BY r.request_id, h.job_id
