package dev.stagehand.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CallerTextTest {
    @Test
    void controlCharactersAreEscapedSoNoLineCanBeForged() {
        assertEquals("'a\\x0aINFO forged\\x00'", CallerText.quote("a\nINFO forged\u0000"));
    }

    @Test
    void longTextIsCutToTheLimit() {
        String quoted = CallerText.escape("x".repeat(5000));
        assertTrue(quoted.length() <= CallerText.MAX + 1, "length " + quoted.length());
        assertTrue(quoted.endsWith("…"));
    }

    @Test
    void loneSurrogatesAreEscapedAndPairsKept() {
        assertEquals("a\\ud800b", CallerText.escape("a\uD800b"));
        assertEquals("😀", CallerText.escape("😀"));
    }
}
