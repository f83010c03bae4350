-- Due triggers in the order Quartz takes them (the h2 migration of the same number names its
-- index in the query; PostgreSQL's planner picks this one for the stock query by itself).
CREATE INDEX idx_qrtz_t_acquire ON qrtz_triggers (sched_name, trigger_state, next_fire_time, priority DESC);
