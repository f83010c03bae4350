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

    /**
     * Outside the queue, the sides of it that act are used in named places only: the job side by
     * staging's handler (the one place that turns staging's failures into the queue's), JobQueue by
     * the wiring, the submission and the operator's routes. Everything else reads through Ledger
     * and changes build copies through BuildLedger (the stores behind them are package-private).
     */
    private static final Set<String> HANDLER = Set.of("staging/StagingHandler.java");
    private static final Map<String, Set<String>> QUEUE_TYPES_ONLY_IN = Map.of(
            "JobHandler", HANDLER, "JobRun", HANDLER, "NotReadyYet", HANDLER, "PermanentFailure", HANDLER, "WaitingBuild", HANDLER,
            "JobQueue", Set.of("Stagehand.java", "staging/StageService.java", "api/HttpApi.java", "api/JsonApiRoutes.java"));
    /** What the HTTP layer may ask of JobQueue itself: the operator's moves; it reads through Ledger. */
    private static final Set<String> API_QUEUE_CALLS = Set.of("retry", "cancel", "drain");
    private static final Pattern QUEUE_IMPORT = Pattern.compile("^import dev\\.stagehand\\.queue\\.([A-Za-z]+);", Pattern.MULTILINE);
    private static final Pattern QUEUE_CALL = Pattern.compile("\\bqueue(?:\\(\\))?\\.([a-zA-Z]+)\\(");

    @Test
    void outsideTheQueueItsActingSidesAreUsedOnlyWhereNamed() throws IOException {
        Path root = Path.of("src/main/java/dev/stagehand");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(root.resolve("queue"))).toList()) {
                String name = root.relativize(file).toString();
                String source = Files.readString(file);
                Matcher m = QUEUE_IMPORT.matcher(source);
                while (m.find()) {
                    Set<String> allowed = QUEUE_TYPES_ONLY_IN.get(m.group(1));
                    if (allowed != null && !allowed.contains(name)) {
                        violations.add(name + " uses queue." + m.group(1));
                    }
                }
                if (name.startsWith("api/")) {
                    Matcher call = QUEUE_CALL.matcher(source);
                    while (call.find()) {
                        if (!API_QUEUE_CALLS.contains(call.group(1))) {
                            violations.add(name + " asks JobQueue for " + call.group(1) + " (reads go through Ledger)");
                        }
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
