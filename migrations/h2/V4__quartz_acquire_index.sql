-- Due triggers in the order Quartz takes them. H2 only reads an index in ORDER BY order when the
-- ORDER BY columns lead the index; H2QuartzDelegate names this index, so picking the next
-- triggers stops after a few rows instead of sorting every due trigger (a long queue made the
-- scheduler thread the bottleneck).
CREATE INDEX IDX_QRTZ_T_ACQUIRE ON QRTZ_TRIGGERS (NEXT_FIRE_TIME, PRIORITY DESC);
