-- Disk space under the database's control: each build's state guards eviction, clean and
-- installs against each other; staged_bytes is what its directory holds; evictions are history.

-- READY, EVICTING or CLEANING; state_by names the node that moved it out of READY.
ALTER TABLE build ADD COLUMN state VARCHAR(16) DEFAULT 'READY' NOT NULL;
ALTER TABLE build ADD COLUMN state_by VARCHAR(64);
-- Bytes under the build's directory, measured after each install (0 after eviction or clean).
ALTER TABLE build ADD COLUMN staged_bytes BIGINT DEFAULT 0 NOT NULL;
CREATE INDEX build_last_access_ix ON build (last_access_at);

-- Bytes a running job has claimed on the disk for what it is downloading (its objects' sizes);
-- other jobs count them as taken until the job ends.
ALTER TABLE job ADD COLUMN reserved_bytes BIGINT;

-- One row per build evicted to make room: when, why and how much it freed.
CREATE TABLE eviction (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    build_id     BIGINT NOT NULL REFERENCES build (id),
    evicted_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    reason       VARCHAR(1000) NOT NULL,
    bytes_freed  BIGINT NOT NULL,
    node         VARCHAR(64)
);
CREATE INDEX eviction_build_ix ON eviction (build_id);

-- The one row that decisions about disk space lock (SELECT ... FOR UPDATE), so that two jobs,
-- on one node or several, never both count the same free space.
CREATE TABLE disk_lock (
    id INT PRIMARY KEY
);
INSERT INTO disk_lock (id) VALUES (1);
