-- How often each artifact needed more than one attempt, and the attempts spent on retries.
SELECT artifact, COUNT(*) AS jobs, SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END) AS jobs_retried,
       SUM(GREATEST(attempts - 1, 0)) AS retries
FROM job_history
GROUP BY artifact
ORDER BY retries DESC, artifact
