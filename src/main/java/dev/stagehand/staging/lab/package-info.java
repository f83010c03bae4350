/**
 * The lab's read-only helpers over staged builds: control files and suites, xbuddy names,
 * latest builds and version order. They read what staging installed, by real path.
 */
package dev.stagehand.staging.lab;
