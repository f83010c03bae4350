package dev.stagehand.staging;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The artifacts stagehand knows, loaded from {@code catalogue.json} (data, not code) plus an
 * optional operator file whose entries add to or replace the built-in ones.
 */
public final class Catalogue {
    /**
     * The telemetry dependencies autotest packages: each unpacked, if present, into the telemetry
     * source dir, their {@code test_src/} becoming {@code src/} (as the devserver moved it).
     */
    private static final List<Rule> TELEMETRY = List.of("telemetry_dep", "page_cycler_dep", "chrome_test", "perf_data_dep")
            .stream().map(dep -> new Rule("dep-" + dep + ".tar.bz2", null, Rule.Action.EXTRACT, null, false, null, null,
                    StageTarget.Telemetry.DIR, null, null, List.of(StageTarget.Telemetry.DIR), true, "test_src/")).toList();

    private final Map<String, List<List<Rule>>> artifacts;
    private final Map<String, List<String>> locality;

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    private record Document(Map<String, List<List<Rule>>> artifacts, Map<String, List<String>> locality) {}

    private Catalogue(Map<String, List<List<Rule>>> artifacts, Map<String, List<String>> locality) {
        this.artifacts = artifacts;
        this.locality = locality;
    }

    public static Catalogue load(Path extra) {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<List<Rule>>> artifacts = new LinkedHashMap<>();
        Map<String, List<String>> locality = new LinkedHashMap<>();
        try (InputStream in = Catalogue.class.getResourceAsStream("/catalogue.json")) {
            merge(json.readValue(in, Document.class), artifacts, locality);
            if (extra != null) {
                merge(json.readValue(Files.readAllBytes(extra), Document.class), artifacts, locality);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the artifact catalogue", e);
        }
        return new Catalogue(artifacts, locality);
    }

    private static void merge(Document doc, Map<String, List<List<Rule>>> artifacts, Map<String, List<String>> locality) {
        if (doc.artifacts() != null) {
            artifacts.putAll(doc.artifacts());
        }
        if (doc.locality() != null) {
            locality.putAll(doc.locality());
        }
    }

    public boolean knows(String artifact) {
        return artifacts.containsKey(artifact);
    }

    public Set<String> names() {
        return new TreeSet<>(artifacts.keySet());
    }

    /** Artifacts worth fetching in the background when {@code artifact} is asked for. */
    public List<String> relatedTo(String artifact) {
        return locality.getOrDefault(artifact, List.of());
    }

    /** Whether staging {@code target} of build {@code build} could install {@code file} (a single file, not an extraction). */
    boolean mayInstall(StageTarget target, String file, String build) {
        return rulesFor(target).stream().flatMap(List::stream).flatMap(List::stream).anyMatch(r -> r.mayInstall(file, build));
    }

    /** Alternatives for a target: its catalogue entry, or one exact copy for a named file. */
    Optional<List<List<Rule>>> rulesFor(StageTarget target) {
        if (target instanceof StageTarget.NamedFile file) {
            return Optional.of(List.of(List.of(Rule.exactFile(file.name()))));
        }
        if (target instanceof StageTarget.Member m) {
            return Optional.of(List.of(List.of(Rule.member(m.archive(), m.member(), m.installedAt()))));
        }
        if (target instanceof StageTarget.Decompressed d) {
            return Optional.of(List.of(List.of(Rule.decompress(d.name(), d.installedAt()))));
        }
        if (target instanceof StageTarget.Telemetry) {
            return Optional.of(List.of(TELEMETRY));
        }
        return Optional.ofNullable(artifacts.get(target.name()));
    }

}
