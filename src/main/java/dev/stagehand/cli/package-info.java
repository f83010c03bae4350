/**
 * The command line in the jar (picocli): serve, sql, and the client commands stage and status;
 * flags from the command line, the environment or a properties file.
 */
package dev.stagehand.cli;
