package dev.stagehand.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The flags of a benchmark's server JVM: its heap, and any given in {@code -Dbench.serverJvmArgs}. */
final class ServerJvm {
    private ServerJvm() {}

    /**
     * {@code -Xmx<heap>} and the flags of {@code -Dbench.serverJvmArgs}, e.g.
     * {@code -XX:StartFlightRecording=filename=/tmp/server.jfr} to profile the server, or
     * {@code -XX:TieredStopAtLevel=1} to compare JIT settings on a cold path.
     */
    static List<String> args(String heap) {
        List<String> args = new ArrayList<>(List.of("-Xmx" + heap));
        Arrays.stream(System.getProperty("bench.serverJvmArgs", "").split(" ")).filter(a -> !a.isBlank()).forEach(args::add);
        return args;
    }
}
