package org.robustseg.cli;

import org.robustseg.cli.robustness.AttackCommand;
import org.robustseg.cli.robustness.CompareCommand;
import org.robustseg.cli.synthesis.EditCommand;
import org.robustseg.cli.synthesis.GenerateCommand;
import org.robustseg.cli.synthesis.InpaintCommand;
import org.robustseg.cli.synthesis.PagCommand;
import org.robustseg.cli.synthesis.SaliencyCommand;
import org.robustseg.cli.training.DataCommand;
import org.robustseg.cli.training.EvalCommand;
import org.robustseg.cli.training.ExportCommand;
import org.robustseg.cli.training.InfoCommand;
import org.robustseg.cli.training.TrainCommand;
import org.robustseg.demo.DemoCommand;

import java.io.PrintWriter;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./run}: dispatches to the sub-commands, and the one place that turns a
 * command's failure into an exit code and one {@code error:} line. Other tools built on the CLI
 * (the benchmarks, {@code org.robustseg.bench.BenchMain}) start through {@link #launch}, so they
 * get the same engine check, error style and safer-ISA restart.
 */
@Command(name = "robustseg", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Adversarially robust semantic segmentation and gradient-based image synthesis.",
        subcommands = {DataCommand.class, InfoCommand.class, TrainCommand.class, EvalCommand.class, AttackCommand.class,
                CompareCommand.class, ExportCommand.class, InpaintCommand.class, GenerateCommand.class, EditCommand.class, PagCommand.class,
                SaliencyCommand.class, DemoCommand.class, DoctorCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code of a run stopped because float32 results disagreed with float64 ({@link NumericsException}). */
    public static final int EXIT_NUMERICS = 3;

    /** Set by {@link #main}: a numerics failure then restarts the process under a safer oneDNN cap. */
    private static volatile boolean mayRestart;

    public static void main(String[] args) {
        launch(Main.class, new Main(), args);
    }

    /**
     * Runs the command tree {@code root} on {@code args} as the process's main program and exits:
     * a numerics failure restarts {@code mainClass} in a new JVM under a safer oneDNN cap.
     */
    public static void launch(Class<?> mainClass, Object root, String[] args) {
        mayRestart = true;
        int code = execute(root, new PrintWriter(System.err, true), args);
        if (code == EXIT_NUMERICS) {
            code = SaferIsaRestart.run(mainClass, args, EXIT_NUMERICS);
        }
        System.exit(code);
    }

    /** Runs the CLI without exiting; returns the exit code. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with errors going to {@code err} (used by tests); returns the exit code. */
    public static int execute(PrintWriter err, String... args) {
        return execute(new Main(), err, args);
    }

    /** Runs the command tree {@code root} with errors going to {@code err}; returns the exit code. */
    public static int execute(Object root, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(root);
        cli.setErr(err);
        cli.setExecutionStrategy(Main::checkEngineThenRun);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            NumericsException numerics = numericsCause(ex);
            if (numerics != null) {
                // one line: what disagreed, and what happens next (a restart) or what to do
                String next = numerics.saferCap();
                cmd.getErr().println(mayRestart && next != null
                        ? "robustseg: " + numerics.report().subject() + ": " + numerics.report().summary()
                                + " under oneDNN cap " + numerics.report().isaCap() + "; restarting with "
                                + SaferIsaRestart.describe(next)
                        : "error: " + numerics.getMessage());
               return EXIT_NUMERICS;
            }
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

    /**
     * The engine's numerics self-check runs before any command that computes (a fraction of a
     * second, once per process); help, version, {@code data} and {@code doctor} (which reports the
     * check itself) do not need it.
     */
    private static int checkEngineThenRun(CommandLine.ParseResult parsed) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        String name = leaf.commandSpec().name();
        if (!(leaf.commandSpec().userObject() instanceof Main) && !name.equals("data") && !name.equals("doctor") && !name.equals("help")) {
            try {
                EngineGuard.requireHealthy();
            } catch (NumericsException e) {
                throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    static NumericsException numericsCause(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof NumericsException n) {
                return n;
            }
        }
        return null;
    }
}
