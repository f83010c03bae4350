package dev.stagehand.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a main class of the test class path in a separate JVM, so a test can really kill it. */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(Class<?> mainClass, Path log, List<String> jvmArgs, String... args) throws IOException {
        return start(mainClass, log, jvmArgs, Map.of(), args);
    }

    /** With {@code env} added to this JVM's environment. */
    public static Process start(Class<?> mainClass, Path log, List<String> jvmArgs, Map<String, String> env,
            String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dh2.bindAddress=127.0.0.1");
        command.addAll(TestDb.childJvmArgs());
        command.addAll(compilerArgs());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** This JVM's JIT setting (the pom's test.jit), for a child to compile as its parent does. */
    private static List<String> compilerArgs() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("-XX:TieredStopAtLevel=") || arg.matches("-XX:[+-]TieredCompilation")).toList();
    }

    /** SIGKILL: no shutdown hooks, no cleanup, like a crash or an OOM kill. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
    }

    /** The port a {@link ServerMain} printed to its log ("PORT n"), or 0 while it has not. */
    public static int portFromLog(Path log) {
        try {
            return java.nio.file.Files.readAllLines(log).stream().filter(l -> l.startsWith("PORT ")).findFirst()
                    .map(l -> Integer.parseInt(l.substring(5).trim())).orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }
}
