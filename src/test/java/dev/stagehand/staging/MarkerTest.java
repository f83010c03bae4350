package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkerTest {
    @TempDir Path dir;

    @Test
    void namesThatLookLikeTheFormatCannotSplitALine() throws Exception {
        List<String> files = List.of("a%0Ab", "file x", "check y", "p+q", "100%");
        Path marker = Files.write(dir.resolve("m"), Marker.lines(files, Map.of()));
        assertEquals(files, Marker.files(marker));
        assertEquals(files, Marker.toCheck(marker), "a small artifact is checked whole");
    }

    @Test
    void aLargeArtifactIsCheckedByAFixedSpreadOfItsFiles() throws Exception {
        List<String> files = IntStream.range(0, 100_000).mapToObj(i -> "debug/" + i).toList();
        Path marker = Files.write(dir.resolve("m"), Marker.lines(files, Map.of()));
        List<String> checked = Marker.toCheck(marker);
        assertTrue(checked.size() <= Marker.CHECKED, "checked " + checked.size());
        assertEquals("debug/0", checked.get(0));
        assertTrue(Integer.parseInt(checked.get(checked.size() - 1).substring(6)) > 98_000, "spread to the end");
        assertEquals(files, Marker.files(marker));
    }

    @Test
    void markersOfTheOlderFormatStillRead() throws Exception {
        Path marker = Files.write(dir.resolve("m"), List.of("a", "b/c"));
        assertEquals(List.of("a", "b/c"), Marker.files(marker));
        assertEquals(List.of("a", "b/c"), Marker.toCheck(marker));
    }

    @Test
    void aListingSaysWhetherTheMarkerHasAFileAndItsChecksums() throws Exception {
        Path marker = Files.write(dir.resolve("m"), Marker.lines(List.of("copied bin", "extracted", "no md5"),
                Map.of("copied bin", new FileHashes("crc==", "md5=="), "no md5", new FileHashes("crc2==", null))));
        assertEquals(Optional.of(new FileHashes("crc==", "md5==")), Marker.listing(marker, "copied bin"));
        assertEquals(Optional.of(new FileHashes("crc2==", null)), Marker.listing(marker, "no md5"));
        assertEquals(Optional.of(FileHashes.NONE), Marker.listing(marker, "extracted"), "listed, copied by no one as it is");
        assertEquals(Optional.empty(), Marker.listing(marker, "absent"));
        Path older = Files.write(dir.resolve("old"), List.of("a", "b/c"));
        assertEquals(Optional.of(FileHashes.NONE), Marker.listing(older, "b/c"));
        assertEquals(Optional.empty(), Marker.listing(older, "c"));
    }
}
