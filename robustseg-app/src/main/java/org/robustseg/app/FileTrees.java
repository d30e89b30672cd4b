package org.robustseg.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a directory tree (the demo's --fresh, the benchmarks' temporary data). */
final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code root} and everything below it, children first. */
    static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
