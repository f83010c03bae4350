-- Which artifacts take longest to stage (succeeded jobs; duration of the final attempt).
SELECT artifact, COUNT(*) AS jobs, AVG(duration_ms) AS avg_ms, MAX(duration_ms) AS max_ms,
       SUM(bytes_total) AS bytes
FROM job_history
WHERE state = 'SUCCEEDED'
GROUP BY artifact
ORDER BY avg_ms DESC
