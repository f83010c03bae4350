package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing over the nodes' advertise URLs: even spread, and few moves when the ring changes. */
class RendezvousTest {
    static final List<String> THREE = List.of("http://stagehand-a.lab:8080", "http://stagehand-b.lab:8080", "http://stagehand-c.lab:8080");
    static final String FOURTH = "http://stagehand-d.lab:8080";

    static List<String> buildPaths(int n) {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            paths.add("board-" + (i % 37) + "-release/R" + (100 + i % 23) + "-" + (15000 + i) + ".0.0");
        }
        return paths;
    }

    static Map<String, String> homes(List<String> paths, List<String> nodes) {
        Map<String, String> homes = new HashMap<>();
        paths.forEach(p -> homes.put(p, Rendezvous.home(p, nodes).orElseThrow()));
        return homes;
    }

    @Test
    void aThousandBuildsSpreadEvenlyOverThreeNodes() {
        Map<String, Integer> counts = new HashMap<>();
        homes(buildPaths(1000), THREE).values().forEach(node -> counts.merge(node, 1, Integer::sum));
        assertEquals(3, counts.size());
        double spread = (double) counts.values().stream().mapToInt(i -> i).max().orElseThrow()
                / counts.values().stream().mapToInt(i -> i).min().orElseThrow();
        System.out.printf("rendezvous: 1000 builds over 3 nodes: %s, max/min %.3f%n", counts, spread);
        assertTrue(spread <= 1.2, "max/min " + spread);
    }

    @Test
    void aFourthNodeTakesAboutAQuarterAndNothingElseMoves() {
        List<String> paths = buildPaths(1000);
        Map<String, String> before = homes(paths, THREE);
        List<String> four = new ArrayList<>(THREE);
        four.add(FOURTH);
        Map<String, String> after = homes(paths, four);
        long moved = paths.stream().filter(p -> !before.get(p).equals(after.get(p))).count();
        assertTrue(paths.stream().filter(p -> !before.get(p).equals(after.get(p))).allMatch(p -> after.get(p).equals(FOURTH)),
                "a build only ever moves to the node that joined");
        System.out.printf("rendezvous: a 4th node moves %d of 1000 builds (%.3f)%n", moved, moved / 1000.0);
        assertTrue(moved >= 200 && moved <= 300, moved + " moved");
    }

    @Test
    void losingANodeMovesOnlyItsOwnBuilds() {
        List<String> paths = buildPaths(1000);
        Map<String, String> before = homes(paths, THREE);
        Map<String, String> after = homes(paths, THREE.subList(0, 2));
        for (String p : paths) {
            if (!before.get(p).equals(THREE.get(2))) {
                assertEquals(before.get(p), after.get(p), p);
            }
        }
    }

    @Test
    void everyNodeComputesTheSameHomeWhateverOrderItReadTheRingIn() {
        List<String> reversed = new ArrayList<>(THREE);
        java.util.Collections.reverse(reversed);
        for (String p : buildPaths(200)) {
            assertEquals(Rendezvous.home(p, THREE), Rendezvous.home(p, reversed), p);
        }
        assertEquals(Optional.empty(), Rendezvous.home("any/build", List.of()));
    }
}
