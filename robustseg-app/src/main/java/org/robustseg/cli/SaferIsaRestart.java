package org.robustseg.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.engine.OneDnnIsa;

/**
 * Restarts this command in a new JVM under the next safer oneDNN cap, which oneDNN reads only
 * once per process (before its first kernel). The child gets the same JVM options, class path
 * and arguments, and the same terminal; it checks again and can step further down the ladder
 * ({@link OneDnnIsa#ladder}) on its own. Resumable commands (train, demo) continue where the
 * first attempt stopped; the numerics check runs before a model's first result is used.
 */
final class SaferIsaRestart {
    private SaferIsaRestart() {}

    /** How the restart is announced: the variable and value it sets. */
    static String describe(String cap) {
        return OneDnnIsa.VARIABLE + "=" + cap + " (a safer configuration; it is recorded in every provenance)";
    }

    /** The command line of a JVM like this one (java, its flags, its class path) running {@code mainClass}. */
    static List<String> sameJvm(Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        return command;
    }

    /** Runs the command again under the next safer cap; returns its exit code, or {@code failed} when no cap is left. */
    static int run(Class<?> mainClass, String[] args, int failed) {
        String next = OneDnnIsa.nextSafer(OneDnnIsa.cap(), OneDnnIsa.cpuFlags());
        if (next == null) {
            return failed;
        }
        List<String> command = sameJvm(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(OneDnnIsa.VARIABLE, next);
        pb.environment().remove(OneDnnIsa.LEGACY_VARIABLE);
        try {
            return pb.start().waitFor();
        } catch (java.io.IOException e) {
            System.err.println("error: cannot restart the JVM under " + OneDnnIsa.VARIABLE + "=" + next + ": " + e.getMessage()
                    + "; set it in the environment yourself");
            return failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed;
        }
    }
}
