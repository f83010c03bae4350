package dev.stagehand.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RelativePathsTest {
    @Test
    void aCleanPathIsRelativeWithoutClimbingEmptyPartsBackslashesOrControlCharacters() {
        assertTrue(RelativePaths.isClean("au/R1_nton/update.gz"));
        assertTrue(RelativePaths.isClean("a..b/c"));
        for (String bad : new String[] {"", "/etc/passwd", "a//b", "a/./b", "../x", "a/..", "a\\b", "a\nb", "a\u0000b", "a/",
                "a\u007fb", "a\uFFFDb"}) {
            assertFalse(RelativePaths.isClean(bad), bad);
        }
        assertFalse(RelativePaths.isClean(null));
    }
}
