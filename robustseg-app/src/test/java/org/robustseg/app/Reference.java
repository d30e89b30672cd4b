package org.robustseg.app;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the tests find the PyTorch reference. {@code ./run test} installs Debian's python3-torch,
 * so under CI its absence is a failure; elsewhere the reference tests are skipped with the reason.
 */
final class Reference {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("..", "bench", "reference", "reference.py");

    private Reference() {}

    static void require() throws Exception {
        boolean ok = Files.isRegularFile(SCRIPT) && Files.isExecutable(PYTHON) && torchImports();
        String why = "the PyTorch reference needs /usr/bin/python3 with python3-torch (./run test installs it)";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(ok, why);
        }
        assumeTrue(ok, why);
    }

    private static boolean torchImports() throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
