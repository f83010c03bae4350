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
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "common", Set.of(),
            "db", Set.of("common"),
            "archive", Set.of("common"),
            "queue", Set.of("db", "common"),
            "staging", Set.of("queue", "archive", "db", "common"),
            "metrics", Set.of("queue", "staging", "archive", "db", "common"),
            "api", Set.of("staging", "queue", "archive", "db", "common", "metrics"),
            "cli", Set.of("", "api", "staging", "queue", "archive", "db", "common", "metrics"));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.stagehand\\.([a-z]+)\\.", Pattern.MULTILINE);

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
                    String used = m.group(1).equals("db") ? "db" : m.group(1);
                    if (!used.equals(pkg) && !ALLOWED.getOrDefault(pkg, Set.of()).contains(used)) {
                        violations.add(root.relativize(file) + " imports " + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static String packageOf(Path relative) {
        return relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
    }
}
