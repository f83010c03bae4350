/**
 * The HTTP face of stagehand: the devserver RPCs with their literal answers, the JSON API under
 * /api/v1, the status page, health and metrics, and who may call what (CallerRules). Routes turn
 * requests into calls on staging and the queue and back into one-line answers; they hold no
 * thread while a caller waits. They read the queue through its Ledger only; JobQueue itself is
 * asked for the operator's moves (retry, cancel, drain).
 */
package dev.stagehand.api;
