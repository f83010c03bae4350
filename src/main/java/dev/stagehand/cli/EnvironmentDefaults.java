package dev.stagehand.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a flag not given on the command line comes from: the environment variable
 * {@code STAGEHAND_<NAME>} (e.g. STAGEHAND_STATIC_DIR), then the config file
 * ({@code STAGEHAND_CONFIG}, default {@code ./stagehand.properties}, key {@code static-dir}),
 * then the built-in default.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
    private final Properties file = new Properties();

    EnvironmentDefaults() {
        String configured = System.getenv("STAGEHAND_CONFIG");
        Path path = Path.of(configured != null ? configured : "stagehand.properties");
        if (Files.isRegularFile(path)) {
            try (Reader in = Files.newBufferedReader(path)) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read config file " + path, e);
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName().replaceFirst("^--", "");
        String env = System.getenv("STAGEHAND_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (env != null) {
            return env;
        }
        return file.getProperty(name);
    }
}
