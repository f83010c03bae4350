-- The caching protocol's bookkeeping (/download, /extract, /decompress).

-- The lab's ids for the task that asked, as it sends them (X-SWARMING-TASK-ID, X-BBID): a
-- job's history can be traced back to the tasks that asked for it (README: "SQL on history").
ALTER TABLE stage_request ADD COLUMN swarming_task_id VARCHAR(128);
ALTER TABLE stage_request ADD COLUMN bbid VARCHAR(128);

-- The member index of one generation of an archive of a build, recorded by the first /extract
-- from it; later extracts read one member's bytes by range, and a name not in it is a 404 with
-- no job. Removed with the build's files (eviction, clean). build_id has no foreign key on
-- purpose: on PostgreSQL its check would share-lock the build row for as long as a large index
-- takes to insert, and recording requests for that build (SELECT ... FOR UPDATE) would wait.
CREATE TABLE archive_index (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    build_id    BIGINT NOT NULL,
    archive     VARCHAR(1024) NOT NULL,
    generation  BIGINT NOT NULL,
    members     INT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT archive_index_uk UNIQUE (build_id, archive, generation)
);

-- One regular file of an indexed archive. Tar: where its bytes start in the (decompressed) tar;
-- zip: where its local header starts. Looked up by name_hash (Java's String.hashCode of the
-- name), since a name may be longer than a B-tree key may be.
CREATE TABLE archive_member (
    index_id    BIGINT NOT NULL REFERENCES archive_index (id) ON DELETE CASCADE,
    name        VARCHAR(4096) NOT NULL,
    name_hash   INT NOT NULL,
    offset_in_archive BIGINT NOT NULL,
    size        BIGINT NOT NULL
);
CREATE INDEX archive_member_name_ix ON archive_member (index_id, name_hash);

-- [jooq ignore start]
-- Which requests asked for each job, with the lab's tasks behind them: a job's history back to its callers.
CREATE VIEW job_requests AS
SELECT rj.job_id, r.id AS request_id, rj.required, r.swarming_task_id, r.bbid, r.outcome, r.created_at
FROM request_job rj JOIN stage_request r ON r.id = rj.request_id;
-- [jooq ignore stop]
