/**
 * The durable job queue: requests and jobs as rows, every state change a guarded UPDATE whose
 * allowed moves come from one table (JobTransition), Quartz for workers and timers, waiters that
 * hold no thread, reconciliation, nodes sharing one database, history pruning and the chore that
 * watches builds still uploading. It knows jobs by their artifact key only; staging does the work.
 */
package dev.stagehand.queue;
