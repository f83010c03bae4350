package dev.stagehand.api;

import dev.stagehand.queue.JobQueue;
import dev.stagehand.staging.InvalidRequest;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.StagingArea;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Devserver read-only RPCs over the static dir, and the health report. */
final class OperatorRoutes {
    private final StageService stage;
    private final JobQueue queue;
    private final StagingArea area;
    private final Clock clock;
    private final Instant started;

    OperatorRoutes(StageService stage, JobQueue queue, StagingArea area, Clock clock) {
        this.stage = stage;
        this.queue = queue;
        this.area = area;
        this.clock = clock;
        this.started = clock.instant();
    }

    void register(RoutesConfig routes) {
        DevserverRoutes.both(routes, "/list_image_dir", this::listImageDir);
        DevserverRoutes.both(routes, "/latestbuild", this::latestBuild);
        DevserverRoutes.both(routes, "/controlfiles", this::controlFiles);
        routes.get("/check_health", this::health);
    }

    private void listImageDir(Context ctx) throws IOException {
        String archiveUrl = Params.required(ctx, "archive_url");
        Path build = area.buildDir(stage.buildPath(archiveUrl));
        if (!Files.isDirectory(build)) {
            ctx.result(archiveUrl + " has not been staged on this devserver.");
            return;
        }
        try (Stream<Path> files = Files.walk(build)) {
            ctx.result(files.filter(p -> !p.equals(build)).sorted().map(p -> line(build, p)).collect(Collectors.joining("\n")));
        }
    }

    private static String line(Path build, Path p) {
        try {
            var attrs = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return build.relativize(p) + (attrs.isDirectory() ? "/" : "") + "\t" + attrs.lastModifiedTime() + "\t" + attrs.size();
        } catch (IOException e) {
            return build.relativize(p) + "\t?\t?";
        }
    }

    private void latestBuild(Context ctx) throws IOException {
        String target = Params.required(ctx, "target");
        String milestone = Params.get(ctx, "milestone");
        Path dir = area.buildDir(checkedRelative(target));
        List<String> builds = List.of();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> children = Files.list(dir)) {
                builds = children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(name -> milestone == null || name.startsWith(milestone + "-"))
                        .sorted(VersionOrder.INSTANCE).toList();
            }
        }
        if (builds.isEmpty()) {
            ctx.status(404).result("no staged build of " + target + (milestone == null ? "" : " in " + milestone));
            return;
        }
        ctx.result(builds.get(builds.size() - 1));
    }

    private void controlFiles(Context ctx) throws IOException {
        Path build = area.buildDir(checkedRelative(Params.required(ctx, "build")));
        String controlPath = Params.get(ctx, "control_path");
        Path autotest = build.resolve("autotest");
        if (controlPath != null) {
            Path file = autotest.resolve(checkedRelative(controlPath)).normalize();
            if (!file.startsWith(autotest) || !Files.isRegularFile(file)) {
                ctx.status(404).result("no control file " + controlPath);
                return;
            }
            ctx.result(Files.readString(file));
            return;
        }
        if (!Files.isDirectory(autotest)) {
            ctx.status(404).result("build " + Params.get(ctx, "build") + " has no staged control files");
            return;
        }
        String suite = Params.get(ctx, "suite_name");
        try (Stream<Path> files = Files.walk(autotest)) {
            ctx.result(files.filter(p -> p.getFileName().toString().matches("control(\\..*)?") && Files.isRegularFile(p))
                    .filter(p -> suite == null || mentionsSuite(p, suite))
                    .map(p -> autotest.relativize(p).toString()).sorted().collect(Collectors.joining("\n")));
        }
    }

    private static boolean mentionsSuite(Path control, String suite) {
        try {
            return Files.readString(control).lines()
                    .anyMatch(l -> (l.startsWith("ATTRIBUTES") || l.startsWith("SUITE")) && l.contains(suite));
        } catch (IOException e) {
            return false;
        }
    }

    private static String checkedRelative(String path) {
        if (path.startsWith("/") || Stream.of(path.split("/")).anyMatch(p -> p.equals("..") || p.isEmpty())) {
            throw new InvalidRequest("path must be relative without '..': " + path);
        }
        return path;
    }

    private void health(Context ctx) throws IOException {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("free_disk", Files.getFileStore(area.root()).getUsableSpace() / (1L << 30));
        Map<String, Integer> depth = queue.history().countByState();
        health.put("staging_thread_count", depth.getOrDefault("RUNNING", 0));
        health.put("queue", depth);
        health.put("uptime_s", Duration.between(started, clock.instant()).toSeconds());
        ctx.json(health);
    }

    /** R78-12499.0.0 < R78-12500.0.0 < R100-1.0.0: numbers compare as numbers. */
    enum VersionOrder implements Comparator<String> {
        INSTANCE;

        @Override
        public int compare(String a, String b) {
            String[] x = a.split("[^0-9]+");
            String[] y = b.split("[^0-9]+");
            for (int i = 0; i < Math.min(x.length, y.length); i++) {
                int c = compareNumbers(x[i], y[i]);
                if (c != 0) {
                    return c;
                }
            }
            return x.length != y.length ? Integer.compare(x.length, y.length) : a.compareTo(b);
        }

        private static int compareNumbers(String a, String b) {
            if (a.isEmpty() || b.isEmpty()) {
                return a.compareTo(b);
            }
            return new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
        }
    }
}
