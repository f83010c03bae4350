package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafePathsTest {
    @Test
    void entryNamesAreNormalisedRelativePaths() throws Exception {
        assertEquals("autotest/control", SafePaths.entryPath("a.tar", "./autotest/control"));
        assertEquals("a/b/c", SafePaths.entryPath("a.tar", "a\\b/c"));
        assertEquals("a/c", SafePaths.entryPath("a.tar", "a/./c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "C:/windows", "../x", "a/../../x", "a/.."})
    void entriesThatLeaveTheBuildAreHostile(String entry) {
        assertThrows(HostileArchive.class, () -> SafePaths.entryPath("a.tar", entry));
    }

    @Test
    void aSymlinkMayPointAnywhereInsideTheBuildButNotOutOrAtItsRoot() throws Exception {
        SafePaths.checkLinkTarget("a.tar", "l", "au/x/stateful.tgz", "../../stateful.tgz");
        SafePaths.checkLinkTarget("a.tar", "l", "x/a", "../x");
        SafePaths.checkLinkTarget("a.tar", "l", "x/a", "./b/./c");
        assertThrows(HostileArchive.class, () -> SafePaths.checkLinkTarget("a.tar", "l", "au/x/s", "../../../etc"));
        assertThrows(HostileArchive.class, () -> SafePaths.checkLinkTarget("a.tar", "l", "au/s", "/etc/passwd"));
        assertThrows(HostileArchive.class, () -> SafePaths.checkLinkTarget("a.tar", "l", "s", "."));
        assertThrows(HostileArchive.class, () -> SafePaths.checkLinkTarget("a.tar", "l", "au/s", ".."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/../../x", "b/../c", "../a/../..", "", "a\nb"})
    void aSymlinkTargetClimbsOnlyAtItsStartAndHasNoControlCharacters(String target) {
        String t = target.replace("\\n", "\n");
        assertThrows(HostileArchive.class, () -> SafePaths.checkLinkTarget("a.tar", "l", "x/y/z/l", t));
    }

    @Test
    void entryNamesWithControlCharactersAreHostileAndQuotedEscaped() {
        HostileArchive e = assertThrows(HostileArchive.class, () -> SafePaths.entryPath("a.tar", "a\n../b"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void underRefusesAnythingThatResolvesOutsideOrToTheBaseItself() {
        Path base = Path.of("/static/build");
        assertEquals(Path.of("/static/build/a/b"), SafePaths.under(base, "a/b"));
        assertThrows(IllegalArgumentException.class, () -> SafePaths.under(base, "../other"));
        assertThrows(IllegalArgumentException.class, () -> SafePaths.under(base, "a/../.."));
        assertThrows(IllegalArgumentException.class, () -> SafePaths.under(base, "."));
    }
}
