package dev.stagehand.staging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** One line of the catalogue: which archive names it takes and what to do with them. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Rule(
        String glob,
        String regex,
        Action action,
        String to,
        boolean all,
        List<String> include,
        List<String> exclude,
        String into,
        String member,
        Map<String, String> symlinks,
        List<String> mkdirs,
        boolean optional,
        String strip) {

    public enum Action {
        @com.fasterxml.jackson.annotation.JsonProperty("copy") COPY,
        @com.fasterxml.jackson.annotation.JsonProperty("extract") EXTRACT,
        @com.fasterxml.jackson.annotation.JsonProperty("member") MEMBER,
        /** The whole object through its decompressor (.gz, .bz2, .xz), to {@code to}. */
        @com.fasterxml.jackson.annotation.JsonProperty("decompress") DECOMPRESS
    }

    public Rule {
        include = include == null ? List.of() : include;
        exclude = exclude == null ? List.of() : exclude;
        symlinks = symlinks == null ? Map.of() : symlinks;
        mkdirs = mkdirs == null ? List.of() : mkdirs;
        if ((glob == null) == (regex == null) || action == null) {
            throw new IllegalArgumentException("a rule needs exactly one of glob/regex, and an action");
        }
    }

    /** A rule that copies one named file of the build as it is (the {@code files=} parameter). */
    static Rule exactFile(String name) {
        return new Rule(null, Pattern.quote(name) + "\\Z", Action.COPY, null, false, null, null, null, null, null, null, false, null);
    }

    /** One member of one archive of the build, to {@code dest} (the caching protocol's /extract). */
    static Rule member(String archive, String member, String dest) {
        return new Rule(null, Pattern.quote(archive) + "\\Z", Action.MEMBER, dest, false, null, null, null, member, null, null, false, null);
    }

    /** One compressed object of the build, decompressed to {@code dest} (the caching protocol's /decompress). */
    static Rule decompress(String object, String dest) {
        return new Rule(null, Pattern.quote(object) + "\\Z", Action.DECOMPRESS, dest, false, null, null, null, null, null, null, false, null);
    }

    /** Archive names this rule takes, in archive order: the first match, or all of them with {@code all}. */
    List<String> select(List<String> names, String build) {
        List<String> matches = names.stream().filter(n -> matches(n, build)).toList();
        return all || matches.isEmpty() ? matches : List.of(matches.get(0));
    }

    boolean matches(String name, String build) {
        if (regex != null) {
            // Anchored at the start like the devserver's Python re.match; "\\Z" anchors the end.
            return Pattern.compile(regex.replace("<build>", Pattern.quote(build))).matcher(name).lookingAt();
        }
        return glob(glob.replace("<build>", build)).matches(Path.of(name));
    }

    static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    }

    /** Whether applying this rule could install {@code file} (a build-relative path) for build {@code build}. */
    boolean mayInstall(String file, String build) {
        return switch (action) {
            case COPY -> to != null ? destination(file, build).equals(file) : matches(file, build);
            case MEMBER -> to != null && destination(member, build).equals(file);
            case DECOMPRESS -> to != null && to.equals(file);
            case EXTRACT -> false; // an extraction's files appear only at its install
        };
    }

    /** Where an extracted entry goes in the build: under {@code into}, with the {@code strip} prefix taken off its name. */
    String entryDestination(String archive, String entryName) throws HostileArchive {
        String name = SafePaths.entryPath(archive, entryName);
        if (strip != null && name.startsWith(strip)) {
            name = name.substring(strip.length());
        }
        return SafePaths.join(into, name);
    }

    String destination(String archiveName, String build) {
        return to == null ? archiveName : to.replace("<build>", build);
    }

    /** Whether an archive entry is taken by the include/exclude globs (a directory matches its contents' globs). */
    boolean takesEntry(String entryName) {
        String name = entryName.endsWith("/") ? entryName.substring(0, entryName.length() - 1) : entryName;
        if (name.isEmpty()) {
            return false;
        }
        boolean included = include.isEmpty() || include.stream().anyMatch(g -> matchesOrContains(g, name));
        boolean excluded = exclude.stream().anyMatch(g -> matchesOrContains(g, name));
        return included && !excluded;
    }

    private static boolean matchesOrContains(String pattern, String name) {
        PathMatcher m = glob(pattern);
        return m.matches(Path.of(name)) || m.matches(Path.of(name, "_"));
    }
}
