/**
 * The database: one connection pool shared by Flyway, jOOQ and Quartz, what differs between H2
 * and PostgreSQL (Vendor), the embedded database's random credentials, migrations, the read-only
 * account of the sql command, a watch for a database that closed under the server, the H2 file's
 * compaction, and the member indexes of archives (ArchiveIndexes), which staging reads and records.
 */
package dev.stagehand.db;
