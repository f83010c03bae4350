package dev.stagehand.staging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Autotest control files of a staged build: listed, filtered by suite, or read one at a time. */
public final class ControlFiles {
    private final StagingArea area;
    private final StagedBuilds builds;

    public ControlFiles(StagingArea area, StagedBuilds builds) {
        this.area = area;
        this.builds = builds;
    }

    /** Control file paths relative to the build's autotest/, sorted; empty when the build has none staged. */
    public Optional<List<String>> list(String build, String suite) throws IOException {
        Path autotest = autotest(build);
        if (!Files.isDirectory(autotest)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(autotest)) {
            return Optional.of(files.filter(p -> p.getFileName().toString().matches("control(\\..*)?") && Files.isRegularFile(p))
                    .filter(p -> suite == null || mentionsSuite(p, suite))
                    .map(p -> autotest.relativize(p).toString()).sorted().toList());
        }
    }

    /** One control file's text, by its path relative to autotest/; empty when there is no such file. */
    public Optional<String> read(String build, String controlPath) throws IOException {
        Path autotest = autotest(build);
        Path file = autotest.resolve(builds.callerPath("control_path", controlPath)).normalize();
        if (!file.startsWith(autotest) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(file));
    }

    private Path autotest(String build) {
        return area.buildDir(builds.callerPath("build", build)).resolve("autotest");
    }

    private static boolean mentionsSuite(Path control, String suite) {
        try {
            return Files.readString(control).lines()
                    .anyMatch(l -> (l.startsWith("ATTRIBUTES") || l.startsWith("SUITE")) && l.contains(suite));
        } catch (IOException e) {
            return false;
        }
    }
}
