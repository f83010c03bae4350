-- Hashed placement (--placement hashed): each node stages on its own local disk, and a build's
-- home is chosen by rendezvous hashing of its path over the live, non-draining nodes.

-- How peers and redirected clients reach a node (its --advertise-url; null with a shared
-- volume), and since when it takes no new work (POST /api/v1/nodes/{id}/drain).
ALTER TABLE node ADD COLUMN advertise_url VARCHAR(255);
ALTER TABLE node ADD COLUMN draining_at TIMESTAMP WITH TIME ZONE;

-- A build row is one copy of a build: on the shared volume (holder '') or on the disk of the
-- node whose advertise URL is holder. Its state, staged bytes, last read and jobs are that
-- disk's; when a build's home moves, the new home gets a row of its own and stages it again.
ALTER TABLE build ADD COLUMN holder VARCHAR(255) DEFAULT '' NOT NULL;
ALTER TABLE build DROP CONSTRAINT build_archive_url_uk;
ALTER TABLE build ADD CONSTRAINT build_copy_uk UNIQUE (archive_url, holder);
CREATE INDEX build_holder_ix ON build (holder);
-- When the copy's files were last removed (eviction, clean): a success finished before then
-- is no longer on its disk. Other nodes answer is_staged for the copy from this.
ALTER TABLE build ADD COLUMN emptied_at TIMESTAMP WITH TIME ZONE;
