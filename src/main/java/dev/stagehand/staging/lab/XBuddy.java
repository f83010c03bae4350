package dev.stagehand.staging.lab;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * xbuddy paths, as chromite's xbuddy reads them: {@code remote/BOARD/VERSION/IMAGE}, where VERSION
 * is a full version (R78-12499.0.0), {@code latest} or {@code latest-official} (the version named
 * by {@code BOARD-release/LATEST-master} in the image dir), {@code latest-official-SUFFIX}
 * ({@code BOARD-SUFFIX/LATEST-master}), or a milestone ({@code latest-R78}, {@code R78}: its newest
 * build), and IMAGE an image alias (default {@code test}).
 */
public final class XBuddy {
    public static final String DEFAULT_IMAGE_DIR = "gs://chromeos-image-archive";
    private static final Pattern FULL_VERSION = Pattern.compile("R\\d+-\\d+(\\.\\d+)*([-_].+)?");
    private static final Pattern MILESTONE = Pattern.compile("(latest-)?(R\\d+)");
    private static final List<String> LATEST_FILES = List.of("LATEST-master", "LATEST-main");

    /** An image alias: the artifact that stages it and the file it is, relative to the build. */
    public enum Image {
        TEST("test", "test_image", "chromiumos_test_image.bin"),
        BASE("base", "base_image", "chromiumos_base_image.bin"),
        DEV("dev", "dev_image", "chromiumos_image.bin"),
        RECOVERY("recovery", "recovery_image", "recovery_image.bin"),
        SIGNED("signed", "signed_image", "signed_image.bin"),
        FACTORY_SHIM("factory_shim", "factory_shim_image", "factory_shim/factory_install_shim.bin"),
        FULL_PAYLOAD("full_payload", "full_payload", "update.gz"),
        STATEFUL("stateful", "stateful", "stateful.tgz");

        public final String alias;
        public final String artifact;
        public final String file;

        Image(String alias, String artifact, String file) {
            this.alias = alias;
            this.artifact = artifact;
            this.file = file;
        }

        static Image of(String alias) {
            return Arrays.stream(values()).filter(i -> i.alias.equals(alias)).findFirst()
                    .orElseThrow(() -> new InvalidRequest("unknown image alias " + CallerText.quote(alias) + "; one of "
                            + Arrays.stream(values()).map(i -> i.alias).toList()));
        }
    }

    /** What a path names: the image dir, the build (e.g. eve-release/R78-12499.0.0), and the image. */
    public record Translation(String imageDir, String buildPath, Image image) {
        /** The archive URL of the build. */
        public String archiveUrl() {
            return imageDir + "/" + buildPath;
        }

        /** The devserver's answer: the image's path; its dirname is the build, which is what callers take. */
        public String path() {
            return buildPath + "/" + image.file;
        }
    }

    /** No LATEST file, or no build of a milestone: the alias names nothing (404). */
    public static final class NotFound extends Exception {
        NotFound(String message) {
            super(message);
        }
    }

    private final ArchiveSources sources;

    public XBuddy(ArchiveSources sources) {
        this.sources = sources;
    }

    public Translation translate(String path, String imageDir) throws IOException, NotFound {
        String dir = imageDir(imageDir);
        List<String> parts = Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toList();
        if (!parts.isEmpty() && parts.get(0).equals("local")) {
            throw new InvalidRequest("xbuddy paths to local builds are not served here; use remote/BOARD/VERSION[/IMAGE]");
        }
        if (!parts.isEmpty() && parts.get(0).equals("remote")) {
            parts = parts.subList(1, parts.size());
        }
        if (parts.isEmpty() || parts.size() > 3) {
            throw new InvalidRequest("an xbuddy path is remote/BOARD/VERSION[/IMAGE], not " + CallerText.quote(path));
        }
        String board = checkedName("board", parts.get(0));
        String version = parts.size() > 1 ? parts.get(1) : "latest";
        Image image = Image.of(parts.size() > 2 ? parts.get(2) : "test");
        return new Translation(dir, resolve(dir, board, checkedName("version", version)), image);
    }

    private String resolve(String dir, String board, String version) throws IOException, NotFound {
        String release = board + "-release";
        if (FULL_VERSION.matcher(version).matches()) {
            String buildPath = release + "/" + version;
            if (!source(dir + "/" + buildPath).exists()) {
                throw new NotFound("no build " + buildPath + " in " + dir);
            }
            return buildPath;
        }
        if (version.equals("latest") || version.equals("latest-official")) {
            return release + "/" + latestOf(dir, release);
        }
        if (version.startsWith("latest-official-")) {
            String builder = board + "-" + version.substring("latest-official-".length());
            return builder + "/" + latestOf(dir, builder);
        }
        var milestone = MILESTONE.matcher(version);
        if (milestone.matches()) {
            String prefix = milestone.group(2) + "-";
            return release + "/" + source(dir + "/" + release).directories().stream().filter(d -> d.startsWith(prefix))
                    .max(VersionOrder.INSTANCE)
                    .orElseThrow(() -> new NotFound("no build of " + milestone.group(2) + " under " + dir + "/" + release));
        }
        throw new InvalidRequest("unknown version alias " + CallerText.quote(version) + ": use a full version (R78-12499.0.0),"
                + " latest, latest-official, latest-official-SUFFIX, or a milestone (latest-R78)");
    }

    /** The version named by the builder's LATEST file. */
    private String latestOf(String dir, String builder) throws IOException, NotFound {
        ArchiveSource source = source(dir + "/" + builder);
        for (String name : LATEST_FILES) {
            Optional<ObjectInfo> info = source.stat(name);
            if (info.isPresent() && info.get().size() < 1024) {
                try (InputStream in = Channels.newInputStream(source.open(info.get(), 0, -1))) {
                    String version = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                    if (FULL_VERSION.matcher(version).matches()) {
                        return version;
                    }
                }
            }
        }
        throw new NotFound("no LATEST-master file under " + dir + "/" + builder);
    }

    private ArchiveSource source(String url) {
        return sources.open(sources.resolve(url).url());
    }

    private static String imageDir(String imageDir) {
        String dir = imageDir == null || imageDir.isBlank() ? DEFAULT_IMAGE_DIR : imageDir.strip();
        while (dir.endsWith("/") && !dir.endsWith("://")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        if (!dir.startsWith("gs://") && !dir.startsWith("file://")) {
            throw new InvalidRequest("image_dir must be a gs:// bucket (or a file:// archive root), not " + CallerText.quote(dir));
        }
        ArchiveUrl.parse(dir + "/x"); // the same rules as an archive URL
        return dir;
    }

    private static String checkedName(String what, String value) {
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || value.length() > 100) {
            throw new InvalidRequest("invalid " + what + " " + CallerText.quote(value));
        }
        return value;
    }
}
