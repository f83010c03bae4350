-- Stagehand's own record of what was asked and what was done.
-- Quartz only schedules; these tables are the ledger operators query.

-- One row per archive URL ever staged.
CREATE TABLE build (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    archive_url     VARCHAR(2048) NOT NULL,
    -- Directory under the static dir, relative (gs://bucket/a/b/BUILD -> a/b/BUILD).
    build_path      VARCHAR(2048) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_access_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT build_archive_url_uk UNIQUE (archive_url)
);

-- What one caller asked for, and how it ended.
CREATE TABLE stage_request (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    build_id     BIGINT NOT NULL REFERENCES build (id),
    artifacts    VARCHAR(4000) NOT NULL,
    files        VARCHAR(4000) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE,
    -- PENDING, SUCCEEDED or FAILED (required jobs only decide it).
    outcome      VARCHAR(16) NOT NULL
);

-- One unit of staging work: an artifact (or one file, artifact 'file:NAME') of a build.
CREATE TABLE job (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    build_id         BIGINT NOT NULL REFERENCES build (id),
    artifact         VARCHAR(1024) NOT NULL,
    -- QUEUED, RUNNING, RETRY_WAIT, SUCCEEDED, FAILED, CANCELLED
    state            VARCHAR(16) NOT NULL,
    -- TRUE when some request waits for it; decides the Quartz trigger priority.
    required         BOOLEAN NOT NULL,
    attempts         INT NOT NULL,
    max_attempts     INT NOT NULL,
    next_attempt_at  TIMESTAMP WITH TIME ZONE,
    -- How long the artifact may be absent from the archive before the job fails.
    wait_deadline_at TIMESTAMP WITH TIME ZONE,
    last_error       VARCHAR(4000),
    bytes_done       BIGINT NOT NULL,
    bytes_total      BIGINT,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    -- Boot id of the process that claimed it: a RUNNING row of an older boot is an orphan.
    claimed_by       VARCHAR(64),
    -- build_id:artifact while the job is active (not terminal), NULL afterwards.
    -- A unique index on it makes "one active job per build + artifact" a database rule
    -- (H2 has no partial indexes; NULLs never collide).
    active_key       VARCHAR(1100),
    CONSTRAINT job_active_key_uk UNIQUE (active_key)
);
CREATE INDEX job_build_artifact_ix ON job (build_id, artifact);
CREATE INDEX job_state_ix ON job (state);

-- Which request waits on which job, and whether that request required it.
CREATE TABLE request_job (
    request_id  BIGINT NOT NULL REFERENCES stage_request (id),
    job_id      BIGINT NOT NULL REFERENCES job (id),
    required    BOOLEAN NOT NULL,
    PRIMARY KEY (request_id, job_id)
);
CREATE INDEX request_job_job_ix ON request_job (job_id);

-- One row per try of a job.
CREATE TABLE job_attempt (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    job_id       BIGINT NOT NULL REFERENCES job (id),
    attempt_no   INT NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE,
    -- RUNNING, SUCCEEDED, RETRY, FAILED, CANCELLED, ABANDONED (process died)
    outcome      VARCHAR(16) NOT NULL,
    error        VARCHAR(4000),
    worker       VARCHAR(128) NOT NULL
);
CREATE INDEX job_attempt_job_ix ON job_attempt (job_id);
