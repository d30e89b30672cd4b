package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the tests find the PyTorch reference. The parity and bench tests run everywhere (not only
 * under CI): without the reference they fail with one line naming what is missing. {@code ./run test}
 * installs Debian's python3-torch.
 */
public final class Reference {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("..", "bench", "reference", "reference.py");

    private Reference() {}

    /** Fails the calling test, in one line naming the missing dependency, unless the reference can run. */
    static void require() throws Exception {
        Optional<String> missing = missing(PYTHON, SCRIPT);
        if (missing.isPresent()) {
            fail(missing.get());
        }
    }

    /** Like {@link #require()}, and Debian's python3-torchvision must be importable too (the torchvision parity test). */
    static void requireTorchvision() throws Exception {
        require();
        Optional<String> missing = missing(PYTHON, SCRIPT, "torchvision", "python3-torchvision");
        if (missing.isPresent()) {
            fail(missing.get());
        }
    }

    /** What keeps {@code script} from running on {@code python} with torch, as one line; empty when nothing. */
    static Optional<String> missing(Path python, Path script) throws InterruptedException {
        return missing(python, script, "torch", "python3-torch");
    }

    /** What keeps {@code script} from running on {@code python} with {@code module} (Debian's {@code pkg}), as one line. */
    static Optional<String> missing(Path python, Path script, String module, String pkg) throws InterruptedException {
        if (!Files.isRegularFile(script)) {
            return Optional.of("the PyTorch reference script " + script.toAbsolutePath().normalize() + " is missing");
        }
        if (!Files.isExecutable(python)) {
            return Optional.of("the PyTorch reference needs " + python + " with Debian's " + pkg + " (apt-get install " + pkg
                    + "; ./run test installs it): " + python + " does not exist or is not executable");
        }
        String why;
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import " + module).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                why = "it did not finish in 120 s";
            } else if (p.exitValue() == 0) {
                return Optional.empty();
            } else {
                why = out.isEmpty() ? "exit status " + p.exitValue() : out.lines().reduce((a, b) -> b).orElse(out);
            }
        } catch (IOException e) {
            why = e.getMessage();
        }
        return Optional.of("the PyTorch reference needs Debian's " + pkg + " (apt-get install " + pkg + "; ./run test installs it): "
                + python + " -c 'import " + module + "' failed: " + why);
    }
}
