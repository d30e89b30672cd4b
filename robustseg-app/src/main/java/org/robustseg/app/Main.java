package org.robustseg.app;

import java.io.PrintWriter;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./run}: dispatches to the sub-commands. */
@Command(name = "robustseg", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Adversarially robust semantic segmentation and gradient-based image synthesis.",
        subcommands = {DataCommand.class, InfoCommand.class, TrainCommand.class, EvalCommand.class, AttackCommand.class,
                CompareCommand.class, InpaintCommand.class, GenerateCommand.class, EditCommand.class, PagCommand.class,
                SaliencyCommand.class,
                BenchCommand.class, DemoCommand.class, DoctorCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code of a run stopped because float32 results disagreed with float64 ({@link NumericsException}). */
    static final int EXIT_NUMERICS = 3;

    /** Set by {@link #main}: a numerics failure then restarts the process under a safer oneDNN cap. */
    private static volatile boolean mayRestart;
    /** How deep {@link #execute} is nested (the demo runs commands through it) on this thread. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    /** A numerics failure of a nested command, handed to the command that ran it ({@link #takeNumericsFailure}). */
    private static final ThreadLocal<NumericsException> NESTED_FAILURE = new ThreadLocal<>();

    public static void main(String[] args) {
        mayRestart = true;
        int code = execute(args);
        if (code == EXIT_NUMERICS) {
            code = SaferIsaRestart.run(args, EXIT_NUMERICS);
        }
        System.exit(code);
    }

    /** Runs the CLI without exiting; returns the exit code. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with errors going to {@code err} (used by tests); returns the exit code. */
    public static int execute(PrintWriter err, String... args) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            return run(err, args);
        } finally {
            depth[0]--;
        }
    }

    /**
     * The numerics failure that made a nested {@link #execute} return {@link #EXIT_NUMERICS}; the
     * command that ran it rethrows it, so the outermost command reports it once (and restarts).
     */
    static NumericsException takeNumericsFailure() {
        NumericsException e = NESTED_FAILURE.get();
        NESTED_FAILURE.remove();
        return e;
    }

    private static int run(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionStrategy(Main::checkEngineThenRun);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            NumericsException numerics = numericsCause(ex);
            if (numerics != null && DEPTH.get()[0] > 1) {
                NESTED_FAILURE.set(numerics); // the outer command reports it
                return EXIT_NUMERICS;
            }
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
        if (leaf != parsed && !name.equals("data") && !name.equals("doctor") && !name.equals("help")) {
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
