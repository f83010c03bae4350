package dev.stagehand.staging;

/**
 * What one job stages: an artifact of the catalogue, or one named file of the build
 * ({@code files=NAME}). The queue knows a job only by its {@link #key()}.
 */
public sealed interface StageTarget {
    /** The job's artifact column: the artifact's name, or {@code file:NAME}. */
    String key();

    /** The name the caller used. */
    String name();

    record Artifact(String name) implements StageTarget {
        @Override
        public String key() {
            return name;
        }
    }

    record NamedFile(String name) implements StageTarget {
        static final String PREFIX = "file:";

        @Override
        public String key() {
            return PREFIX + name;
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
        return key.startsWith(NamedFile.PREFIX) ? new NamedFile(key.substring(NamedFile.PREFIX.length())) : new Artifact(key);
    }
}
