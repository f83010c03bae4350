/**
 * The enums that the ledger's state and outcome columns hold, as jOOQ maps them (no string
 * states anywhere). Which moves between them are allowed is the queue's rule.
 */
package dev.stagehand.db.types;
