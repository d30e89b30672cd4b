package org.robustseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the real CLI in-process for tests and checks the project's error style: one "error:" line, non-zero exit. */
public final class Cli {
    private Cli() {}

    /** Exit code and everything written to the error stream. */
    public record Outcome(int code, String err) {}

    public static Outcome run(String... args) {
        return runWith(new Main(), args);
    }

    /** Runs the command tree {@code root} (e.g. the bench's) the way {@link Main#launch} does, without exiting. */
    public static Outcome runWith(Object root, String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(root, new PrintWriter(err, true), args);
        return new Outcome(code, err.toString().trim());
    }

    public static void assertOneLineError(Outcome o, String mustContain) {
        assertTrue(o.code() != 0, "exit code should be non-zero: " + o);
        List<String> lines = o.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, lines.size(), "exactly one error line expected: " + o.err());
        assertTrue(lines.get(0).contains(mustContain), "error should name '" + mustContain + "': " + lines.get(0));
    }
}
