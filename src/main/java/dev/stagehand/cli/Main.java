package dev.stagehand.cli;

import dev.stagehand.db.DatabaseSetupError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar stagehand.jar serve|sql|stage|status|drain ...} */
@Command(name = "stagehand", mixinStandardHelpOptions = true, version = "stagehand 0.1.0",
        description = "Durable build-artifact staging server for test labs.",
        subcommands = {ServeCommand.class, SqlCommand.class, StageCommand.class, StatusCommand.class, DrainCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        EnvironmentDefaults defaults;
        try {
            defaults = new EnvironmentDefaults(EnvironmentDefaults.configArgument(args));
        } catch (StartupError e) {
            System.err.println("stagehand: " + e.getMessage());
            System.exit(ExitCodes.REFUSED);
            return;
        }
        CommandLine commands = new CommandLine(new Main())
                .setDefaultValueProvider(defaults)
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    // one line, not a stack trace; the server logs its own faults in full
                    if (e instanceof DatabaseSetupError || e instanceof StartupError) { // the operator's to fix: said as a sentence
                        command.getErr().println(command.getCommandName() + ": " + e.getMessage());
                        return e instanceof DatabaseSetupError setup && setup.temporary() ? ExitCodes.UNAVAILABLE : ExitCodes.REFUSED;
                    }
                    command.getErr().println(command.getCommandName() + ": " + e);
                    return ExitCodes.INTERNAL;
                });
        // An SQL query may start with a "--" comment; it is a query, not an option.
        commands.getSubcommands().get("sql").setUnmatchedOptionsArePositionalParams(true);
        java.util.Set<String> known = new java.util.HashSet<>();
        commands.getSubcommands().values().forEach(sub -> sub.getCommandSpec().options()
                .forEach(o -> known.add(o.longestName().replaceFirst("^--", ""))));
        String unknown = defaults.unknownNames(known);
        if (!unknown.isEmpty()) {
            System.err.println("stagehand: " + unknown);
            System.exit(ExitCodes.REFUSED);
        }
        int code = commands.execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
