package dev.stagehand.staging;

import java.util.Optional;

/**
 * What one job stages: an artifact of the catalogue, or one named file of the build
 * ({@code files=NAME}). The queue knows a job only by its {@link #key()}.
 */
public sealed interface StageTarget {
    /** The job's artifact column: the artifact's name, or {@code file:NAME}. */
    String key();

    /** The name the caller used. */
    String name();

    /** The one object of the archive it needs, when it names one (no listing of the archive is needed to stage it). */
    default Optional<String> soleObject() {
        return Optional.empty();
    }

    record Artifact(String name) implements StageTarget {
        @Override
        public String key() {
            return name;
        }
    }

    record NamedFile(String name) implements StageTarget {
        static final String PREFIX = "file:";

        @Override
        public Optional<String> soleObject() {
            return Optional.of(name);
        }

        @Override
        public String key() {
            return PREFIX + name;
        }
    }

    /**
     * One member of an archive of the build, extracted on its own (the caching protocol's
     * {@code /extract}). It is installed under {@link #DIR}, apart from the build's own objects.
     */
    record Member(String archive, String member) implements StageTarget {
        static final String PREFIX = "extract:";
        /** Between the archive and the member in the key: never inside a clean relative path. */
        static final String SEPARATOR = "//";
        public static final String DIR = "_extract";

        @Override
        public Optional<String> soleObject() {
            return Optional.of(archive);
        }

        @Override
        public String key() {
            return PREFIX + name();
        }

        @Override
        public String name() {
            return archive + SEPARATOR + member;
        }

        /** Where the member is installed, relative to the build. */
        public String installedAt() {
            return DIR + "/" + archive + "/" + member;
        }

        /** Where the whole of one generation of a compressed tar is kept for its members, relative to the build. */
        public static String archiveCopy(String archive, long generation) {
            return DIR + "/" + archive + "@" + generation;
        }
    }

    /** A compressed object of the build, decompressed (the caching protocol's {@code /decompress}), under {@link #DIR}. */
    record Decompressed(String name) implements StageTarget {
        static final String PREFIX = "decompress:";
        public static final String DIR = "_decompress";

        @Override
        public Optional<String> soleObject() {
            return Optional.of(name);
        }

        @Override
        public String key() {
            return PREFIX + name;
        }

        /** Where the decompressed bytes are installed, relative to the build. */
        public String installedAt() {
            return DIR + "/" + name;
        }
    }

    /**
     * The telemetry sources unpacked from the build's staged autotest packages (setup_telemetry):
     * staged like any artifact, but from the build's own directory rather than its archive.
     */
    record Telemetry() implements StageTarget {
        static final String KEY = "telemetry_src";
        /** Where the sources go, relative to the build. */
        public static final String DIR = "autotest/packages/telemetry_src/src";

        @Override
        public String key() {
            return KEY;
        }

        @Override
        public String name() {
            return KEY;
        }
    }

    static StageTarget ofKey(String key) {
        if (key.equals(Telemetry.KEY)) {
            return new Telemetry();
        }
        if (key.startsWith(Member.PREFIX)) {
            String name = key.substring(Member.PREFIX.length());
            int at = name.indexOf(Member.SEPARATOR);
            return new Member(name.substring(0, at), name.substring(at + Member.SEPARATOR.length()));
        }
        if (key.startsWith(Decompressed.PREFIX)) {
            return new Decompressed(key.substring(Decompressed.PREFIX.length()));
        }
        return key.startsWith(NamedFile.PREFIX) ? new NamedFile(key.substring(NamedFile.PREFIX.length())) : new Artifact(key);
    }
}
