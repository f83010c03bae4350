-- What the queue holds right now, and the oldest job still waiting in each state.
SELECT d.state, d.jobs, (SELECT MIN(created_at) FROM job j WHERE j.state = d.state) AS oldest
FROM queue_depth d
ORDER BY d.state
