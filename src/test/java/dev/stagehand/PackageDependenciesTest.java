package dev.stagehand;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages read as the architecture: each imports only the layers below it, so there are no
 * cycles. Read from the sources, so a new import that breaks the layering fails here.
 */
class PackageDependenciesTest {
    /** Each package, and the packages below it that it may import (db.types and db.schema count as db). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("common", Set.of()),
            Map.entry("db", Set.of("common")),
            Map.entry("archive", Set.of("common")),
            Map.entry("queue", Set.of("db", "common")),
            Map.entry("staging.transfer", Set.of("archive", "common")),
            Map.entry("staging", Set.of("staging.transfer", "queue", "archive", "db", "common")),
            Map.entry("staging.lab", Set.of("staging", "archive", "common")),
            Map.entry("metrics", Set.of("queue", "staging", "archive", "db", "common")),
            Map.entry("api.http", Set.of("staging", "common")),
            Map.entry("api", Set.of("api.http", "staging.lab", "staging", "staging.transfer", "queue", "archive", "db", "common", "metrics")),
            Map.entry("cli", Set.of("", "api", "staging.lab", "staging", "staging.transfer", "queue", "archive", "db", "common", "metrics")));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.stagehand\\.([a-z.]+?)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void everyPackageImportsOnlyTheLayersBelowIt() throws IOException {
        Path root = Path.of("src/main/java/dev/stagehand");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = packageOf(root.relativize(file));
                if (pkg.isEmpty()) {
                    continue; // Stagehand and Settings wire everything together
                }
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1).startsWith("db.") ? "db" : m.group(1);
                    if (!used.equals(pkg) && !ALLOWED.getOrDefault(pkg, Set.of()).contains(used)) {
                        violations.add(root.relativize(file) + " imports " + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static String packageOf(Path relative) {
        String pkg = relative.getParent() == null ? "" : relative.getParent().toString().replace('/', '.');
        return pkg.startsWith("db.") ? "db" : pkg;
    }

    @Test
    void everyPackageHasAPackageInfoSayingWhatLivesThere() throws IOException {
        Path root = Path.of("src/main/java/dev/stagehand");
        try (Stream<Path> dirs = Files.walk(root)) {
            List<String> missing = dirs.filter(Files::isDirectory).filter(d -> !d.equals(root))
                    .filter(d -> !Files.exists(d.resolve("package-info.java"))).map(d -> root.relativize(d).toString()).toList();
            assertEquals(List.of(), missing);
        }
    }
}
