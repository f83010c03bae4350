/**
 * The durable job queue: requests and jobs as rows, every state change a guarded UPDATE whose
 * allowed moves come from one table (JobTransition), Quartz for workers and timers, waiters that
 * hold no thread, reconciliation, nodes sharing one database, history pruning and the chore that
 * watches builds still uploading. It knows jobs by their artifact key only; staging does the work.
 * Its doors: JobQueue (submissions, the operator's moves), Ledger (reads of jobs, requests, builds
 * and nodes), BuildLedger (build copies and the disk's account, read and changed) and Homes (which
 * node's copy serves a build); the stores behind them are package-private.
 */
package dev.stagehand.queue;
