package dev.stagehand.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a flag not given on the command line comes from: the environment variable
 * {@code STAGEHAND_<NAME>} (e.g. STAGEHAND_STATIC_DIR), then the settings file ({@code --config},
 * else {@code STAGEHAND_CONFIG}, else {@code ./stagehand.properties} if it exists; key
 * {@code static-dir}), then the built-in default. The file may be properties or flat TOML
 * ({@code static-dir = "/var/lib/stagehand/static"}): quotes around a value and section headers
 * are ignored.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
    private final Properties file = new Properties();
    private final Path path;

    /** {@code explicit}: the file named by --config; it must exist. */
    EnvironmentDefaults(Path explicit) {
        String configured = System.getenv("STAGEHAND_CONFIG");
        path = explicit != null ? explicit : Path.of(configured != null ? configured : "stagehand.properties");
        if (!Files.isRegularFile(path)) {
            if (explicit != null || configured != null) {
                throw new StartupError("settings file " + path.toAbsolutePath().normalize() + " does not exist");
            }
            return;
        }
        try (Reader in = Files.newBufferedReader(path)) {
            file.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupError("cannot read settings file " + path + ": " + e.getMessage());
        }
        file.stringPropertyNames().stream().filter(k -> k.startsWith("[")).forEach(file::remove); // TOML section headers
        file.stringPropertyNames().forEach(name -> unquoted(file.getProperty(name))); // a value it cannot read: said now, in one line
    }

    /** The file's names no command knows, as one line naming them; empty when all are known. */
    String unknownNames(Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>(file.stringPropertyNames());
        unknown.removeAll(known);
        return unknown.isEmpty() ? "" : "settings file " + path + " names settings no command has: " + String.join(", ", unknown)
                + " (names are the flags without their dashes, e.g. static-dir)";
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
        return unquoted(file.getProperty(name));
    }

    /**
     * A value as TOML writes it: a quoted string up to its closing quote, or a bare value up to a
     * {@code #} comment. Anything else after a closing quote (an array, a second value) is refused.
     */
    static String unquoted(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.startsWith("\"") || v.startsWith("'")) {
            int close = v.indexOf(v.charAt(0), 1);
            String rest = close < 0 ? "" : v.substring(close + 1).trim();
            if (close < 0 || !(rest.isEmpty() || rest.startsWith("#"))) {
                throw new StartupError("settings file: cannot read the value " + v + " (give one string or number per name)");
            }
            return v.substring(1, close);
        }
        if (v.startsWith("[") || v.startsWith("{")) { // an array or a table: no flag takes one
            throw new StartupError("settings file: cannot read the value " + v + " (give one string or number per name)");
        }
        int comment = v.indexOf(" #");
        return (comment < 0 ? v : v.substring(0, comment)).trim();
    }

    /** The file named by {@code --config FILE} or {@code --config=FILE} among the arguments, if any. */
    static Path configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }
}
