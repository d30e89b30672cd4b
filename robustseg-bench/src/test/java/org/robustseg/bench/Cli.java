package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.robustseg.cli.Main;

/** Runs the real bench commands in-process, as {@code ./run bench …} does, and checks the one-line error style. */
final class Cli {
    private Cli() {}

    /** Exit code and everything written to the error stream. */
    record Outcome(int code, String err) {}

    /** {@code args} as typed after {@code ./run}: the leading {@code bench} names the tool. */
    static Outcome run(String... args) {
        if (args.length == 0 || !args[0].equals("bench")) {
            throw new IllegalArgumentException("bench tests run './run bench ...': " + Arrays.toString(args));
        }
        StringWriter err = new StringWriter();
        int code = Main.execute(new BenchCommand(), new PrintWriter(err, true), Arrays.copyOfRange(args, 1, args.length));
        return new Outcome(code, err.toString().trim());
    }

    static void assertOneLineError(Outcome o, String mustContain) {
        assertTrue(o.code() != 0, "exit code should be non-zero: " + o);
        List<String> lines = o.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, lines.size(), "exactly one error line expected: " + o.err());
        assertTrue(lines.get(0).contains(mustContain), "error should name '" + mustContain + "': " + lines.get(0));
    }
}
