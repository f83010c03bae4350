/**
 * The bottom layer, used by every other: caller text made safe to quote, the rules for relative
 * and real paths, sizes in words, caller limits and the exceptions that mean "the caller's
 * mistake" (400) or "a limit was reached" (429).
 */
package dev.stagehand.common;
