/**
 * The ledger's vocabulary: the values of its state and outcome columns, mapped by jOOQ's code
 * generator onto the generated table classes, so the code never handles them as strings.
 */
package dev.stagehand.db.types;
