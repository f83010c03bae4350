package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleTest {
    private static Rule glob(String glob) {
        return new Rule(glob, null, Rule.Action.COPY, null, false, null, null, null, null, null, null, false, null);
    }

    private static Rule regex(String regex, boolean all) {
        return new Rule(null, regex, Rule.Action.COPY, null, all, null, null, null, null, null, null, false, null);
    }

    @Test
    void aGlobTakesTheFirstMatchingNameWithTheBuildNameFilledIn() {
        Rule rule = glob("chromeos_<build>*_delta_*");
        List<String> names = List.of("stateful.tgz", "chromeos_R1-1.0.0_R1-1.0.0_x_delta_dev.bin", "chromeos_R1-1.0.0_b_delta_x");
        assertEquals(List.of("chromeos_R1-1.0.0_R1-1.0.0_x_delta_dev.bin"), rule.select(names, "R1-1.0.0"));
        assertEquals(List.of(), rule.select(names, "R2-2.0.0"));
    }

    @Test
    void aRegexIsAnchoredAtTheStartLikePythonsReMatchAndTakesAllWhenAsked() {
        Rule rule = regex(".*full.*bin\\Z", false);
        assertEquals(List.of("a_full_dev.bin"), rule.select(List.of("a_full_dev.bin", "a_full_dev.bin.json"), "R1"));
        Rule all = regex("full_dev_part_.*\\.bin\\.gz", true);
        assertEquals(List.of("full_dev_part_KERN.bin.gz", "full_dev_part_ROOT.bin.gz"),
                all.select(List.of("full_dev_part_KERN.bin.gz", "x_full_dev_part_y.bin.gz", "full_dev_part_ROOT.bin.gz"), "R1"));
    }

    @Test
    void theBuildNameIsQuotedInARegexSoItsDotsMatchOnlyDots() {
        Rule rule = regex("chromeos_(?!<build>).*_delta_.*", false);
        assertEquals(List.of(), rule.select(List.of("chromeos_R1-1.0.0_x_delta_y"), "R1-1.0.0"));
        assertEquals(List.of("chromeos_R1-1x0x0_x_delta_y"), rule.select(List.of("chromeos_R1-1x0x0_x_delta_y"), "R1-1.0.0"));
    }

    @Test
    void includeAndExcludeGlobsDecideWhichEntriesAreTakenAndADirectoryMatchesItsContents() {
        Rule rule = new Rule("debug.tgz", null, Rule.Action.EXTRACT, null, false, List.of("debug/breakpad/**"),
                List.of("debug/breakpad/skip/**"), null, null, null, null, false, null);
        assertTrue(rule.takesEntry("debug/breakpad/a.sym"));
        assertTrue(rule.takesEntry("debug/breakpad/"), "the directory of included files");
        assertFalse(rule.takesEntry("debug/other/a.sym"));
        assertFalse(rule.takesEntry("debug/breakpad/skip/x.sym"));
        assertFalse(rule.takesEntry("/"));
    }

    @Test
    void theDestinationDefaultsToTheArchiveNameAndFillsInTheBuild() {
        Rule rule = new Rule("x", null, Rule.Action.COPY, "au/<build>_nton/update.gz", false, null, null, null, null,
                Map.of(), null, false, null);
        assertEquals("au/R1_nton/update.gz", rule.destination("anything", "R1"));
        assertEquals("stateful.tgz", glob("stateful.tgz").destination("stateful.tgz", "R1"));
    }

    @Test
    void aRuleNeedsExactlyOnePatternAndAnAction() {
        assertThrows(IllegalArgumentException.class,
                () -> new Rule(null, null, Rule.Action.COPY, null, false, null, null, null, null, null, null, false, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Rule("a", "b", Rule.Action.COPY, null, false, null, null, null, null, null, null, false, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Rule("a", null, null, null, false, null, null, null, null, null, null, false, null));
    }

    @Test
    void aNamedFileRuleMatchesExactlyThatName() {
        Rule rule = Rule.exactFile("a+b.bin");
        assertEquals(List.of("a+b.bin"), rule.select(List.of("a+b.bin", "aab.bin", "a+b.bin.json"), "R1"));
    }
}
