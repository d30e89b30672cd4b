package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A missing PyTorch reference is named in one line (the reference tests fail with it instead of being skipped). */
public class ReferenceTest {
    @TempDir
    Path tmp;

    @Test
    void eachMissingDependencyIsNamedInOneLine() throws Exception {
        Optional<String> noScript = Reference.missing(Reference.PYTHON, tmp.resolve("reference.py"));
        assertTrue(noScript.orElseThrow().contains("reference.py is missing"), noScript.get());

        Optional<String> noPython = Reference.missing(tmp.resolve("python3"), Reference.SCRIPT);
        assertTrue(noPython.orElseThrow().contains("python3-torch") && noPython.get().contains("does not exist"), noPython.get());

        Path noTorch = tmp.resolve("python-without-torch");
        Files.writeString(noTorch, "#!/bin/sh\necho 'Traceback (most recent call last):'\necho \"ModuleNotFoundError: No module named 'torch'\"\nexit 1\n");
        assertTrue(noTorch.toFile().setExecutable(true));
        String line = Reference.missing(noTorch, Reference.SCRIPT).orElseThrow();
        assertTrue(line.contains("python3-torch") && line.endsWith("No module named 'torch'"), line);
        for (String s : new String[] {noScript.get(), noPython.get(), line}) {
            assertEquals(1, s.lines().count(), s);
        }
    }
}
