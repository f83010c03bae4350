-- The nodes that have run on this database: each checks in (last_seen_at, in the database's
-- time) while it runs. A job RUNNING on a node that stopped checking in is an orphan; another
-- node puts it back in the queue.
CREATE TABLE node (
    id            VARCHAR(64) PRIMARY KEY,
    host          VARCHAR(255) NOT NULL,
    port          INT,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    stopped_at    TIMESTAMP WITH TIME ZONE
);
