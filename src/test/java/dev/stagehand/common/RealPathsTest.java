package dev.stagehand.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealPathsTest {
    @TempDir Path dir;

    @Test
    void aReadIsInsideOnlyWhenItsRealPathIs() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Path outside = Files.writeString(dir.resolve("secret"), "s");
        Files.writeString(base.resolve("f"), "f");
        Files.createSymbolicLink(base.resolve("in"), Path.of("f"));
        Files.createSymbolicLink(base.resolve("out"), outside);
        Files.createSymbolicLink(base.resolve("outdir"), dir);
        Files.createSymbolicLink(base.resolve("loop"), Path.of("loop"));
        assertEquals(base.resolve("f").toRealPath(), RealPaths.inside(base, "in").orElseThrow());
        assertTrue(RealPaths.inside(base, "out").isEmpty());
        assertTrue(RealPaths.inside(base, "outdir/secret").isEmpty());
        assertTrue(RealPaths.inside(base, "loop").isEmpty());
        assertTrue(RealPaths.inside(base, "missing").isEmpty());
        assertTrue(RealPaths.inside(base, "../secret").isEmpty());
    }

    @Test
    void aWriteNeverPassesThroughALink() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(base.resolve("lnk"), dir.resolve("elsewhere"));
        Files.writeString(base.resolve("file"), "x");
        assertThrows(RealPaths.Escape.class, () -> RealPaths.createDirectories(base, base.resolve("lnk/sub")));
        assertThrows(RealPaths.Escape.class, () -> RealPaths.checkWritable(base, base.resolve("lnk/sub/f")));
        assertThrows(RealPaths.Escape.class, () -> RealPaths.checkWritable(base, base.resolve("file/f")));
        assertThrows(RealPaths.Escape.class, () -> RealPaths.createDirectories(base, base.resolve("a/../../x")));
        assertFalse(Files.exists(dir.resolve("elsewhere/sub")));
        assertDoesNotThrow(() -> RealPaths.checkWritable(base, base.resolve("new/dirs/f")));
        RealPaths.createDirectories(base, base.resolve("new/dirs"));
        assertTrue(Files.isDirectory(base.resolve("new/dirs")));
    }
}
