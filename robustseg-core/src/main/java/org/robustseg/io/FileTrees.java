package org.robustseg.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a directory tree (a run's checkpoints on --overwrite, the demo's --fresh, the benchmarks' scratch data). */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code root} and everything below it, children first. */
    public static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
