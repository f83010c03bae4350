package dev.stagehand.staging.lab;

import dev.stagehand.common.RealPaths;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.staging.StagingArea;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Autotest control files of a staged build: listed, filtered by suite, or read. A suite's members
 * are those {@code autotest/test_suites/suite_to_control_file_map} names for it (a Python dict
 * literal, read as data), or else the control files whose ATTRIBUTES ({@code suite:NAME}) or
 * SUITE name it.
 */
public final class ControlFiles {
    private static final Logger log = LoggerFactory.getLogger(ControlFiles.class);
    static final String SUITE_MAP = "test_suites/suite_to_control_file_map";
    private static final Pattern ASSIGNMENT = Pattern.compile("^(ATTRIBUTES|SUITE)\\s*=(.*)$", Pattern.MULTILINE);

    private final StagingArea area;
    private final StagedBuilds builds;

    public ControlFiles(StagingArea area, StagedBuilds builds) {
        this.area = area;
        this.builds = builds;
    }

    /** Control file paths relative to the build's autotest/, sorted; empty when the build has none staged. */
    public Optional<List<String>> list(String build, String suite) throws IOException {
        Optional<Autotest> found = autotest(build);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Autotest autotest = found.get();
        if (suite == null) {
            return Optional.of(autotest.controls());
        }
        Optional<List<String>> mapped = fromSuiteMap(autotest, suite);
        if (mapped.isPresent()) {
            return mapped;
        }
        List<String> members = new ArrayList<>();
        for (String path : autotest.controls()) {
            // test_suites/control.X defines suite X; it is not one of its tests
            if (!path.startsWith("test_suites/") && autotest.read(path).map(ControlFiles::suitesOf).orElse(List.of()).contains(suite)) {
                members.add(path);
            }
        }
        return Optional.of(members);
    }

    /** The suite's control files and their text, by path relative to autotest/ (list_suite_controls). */
    public Optional<Map<String, String>> suite(String build, String suite) throws IOException {
        Optional<List<String>> members = list(build, suite);
        if (members.isEmpty()) {
            return Optional.empty();
        }
        Autotest autotest = autotest(build).orElseThrow();
        Map<String, String> controls = new LinkedHashMap<>();
        for (String path : members.get()) {
            autotest.read(path).ifPresent(text -> controls.put(path, text));
        }
        return Optional.of(controls);
    }

    /** One control file's text, by its path relative to autotest/; empty when there is no such file. */
    public Optional<String> read(String build, String controlPath) throws IOException {
        String path = builds.callerPath("control_path", controlPath);
        Optional<Autotest> autotest = autotest(build);
        return autotest.isEmpty() ? Optional.empty() : autotest.get().read(path);
    }

    /** The build's autotest/ dir, when it is staged and really inside the build (not a link elsewhere). */
    private Optional<Autotest> autotest(String build) {
        return area.realBuildDir(builds.callerPath("build", build))
                .flatMap(real -> RealPaths.inside(real, "autotest").filter(Files::isDirectory).map(dir -> new Autotest(real, dir)));
    }

    /**
     * A staged autotest/ dir; every file is read only after its real path, links followed, is
     * found inside the build ({@code build}): a link an archive or an earlier artifact left
     * cannot turn a read elsewhere.
     */
    private record Autotest(Path build, Path dir) {
        Optional<String> read(String relative) throws IOException {
            Optional<Path> file = RealPaths.inside(build, dir.resolve(relative).normalize()).filter(Files::isRegularFile);
            return file.isEmpty() ? Optional.empty() : Optional.of(Files.readString(file.get(), StandardCharsets.UTF_8));
        }

        List<String> controls() throws IOException {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(p -> p.getFileName().toString().matches("control(\\..*)?"))
                        .filter(p -> RealPaths.inside(build, p).filter(Files::isRegularFile).isPresent())
                        .map(p -> dir.relativize(p).toString()).sorted().toList();
            }
        }
    }

    /** The map's list for the suite; empty when the build has no map, the map lacks the suite, or it is malformed. */
    private static Optional<List<String>> fromSuiteMap(Autotest autotest, String suite) throws IOException {
        Optional<String> map = autotest.read(SUITE_MAP);
        if (map.isEmpty()) {
            return Optional.empty();
        }
        try {
            Object parsed = PythonLiteral.parse(map.get());
            if (parsed instanceof Map<?, ?> suites && suites.get(suite) instanceof List<?> paths) {
                List<String> members = new ArrayList<>();
                for (Object path : paths) {
                    if (path instanceof String p && RelativePaths.isClean(p)) {
                        members.add(p);
                    }
                }
                return Optional.of(members);
            }
            return Optional.empty();
        } catch (PythonLiteral.Malformed e) {
            log.warn("{} of {} is malformed ({}); finding suite members by their ATTRIBUTES and SUITE instead",
                    SUITE_MAP, autotest.build().getFileName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The suites a control file names: each {@code suite:X} of ATTRIBUTES, and each name in SUITE. */
    static List<String> suitesOf(String text) {
        List<String> suites = new ArrayList<>();
        Matcher m = ASSIGNMENT.matcher(text);
        while (m.find()) {
            String value = PythonLiteral.strings(statement(text, m.start(2)));
            if (value == null) {
                continue;
            }
            for (String item : value.split(",")) {
                String name = item.strip();
                if (m.group(1).equals("ATTRIBUTES")) {
                    if (name.startsWith("suite:")) {
                        suites.add(name.substring("suite:".length()).strip());
                    }
                } else if (!name.isEmpty()) {
                    suites.add(name);
                }
            }
        }
        return suites;
    }

    /** The text of a Python statement from {@code start}: up to a line end outside brackets. */
    private static String statement(String text, int start) {
        int depth = 0;
        char quote = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == '\n' && depth <= 0 && (i == 0 || text.charAt(i - 1) != '\\')) {
                return text.substring(start, i);
            }
        }
        return text.substring(start);
    }
}
