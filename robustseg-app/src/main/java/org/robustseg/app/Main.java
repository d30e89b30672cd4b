package org.robustseg.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./run}: dispatches to the sub-commands. */
@Command(name = "robustseg", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Adversarially robust semantic segmentation and gradient-based image synthesis.",
        subcommands = {DataCommand.class, InfoCommand.class, TrainCommand.class, EvalCommand.class, AttackCommand.class,
                CompareCommand.class, InpaintCommand.class, GenerateCommand.class, EditCommand.class, PagCommand.class,
                SaliencyCommand.class,
                BenchCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI without exiting; returns the exit code. */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with errors going to {@code err} (used by tests); returns the exit code. */
    public static int execute(java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + Errors.oneLine(ex));
            if (Boolean.getBoolean("robustseg.trace")) {
                ex.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        cli.setParameterExceptionHandler((ex, args1) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("(see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cli.execute(args);
    }
}
