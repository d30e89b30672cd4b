package org.robustseg.cli.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out DIR}, required: where a command writes its files. Commands whose output directory
 * has another meaning or a default (train's run directory, eval's and saliency's optional one,
 * the demo's {@code runs/demo}) declare their own {@code --out} and say so in its help.
 */
public final class OutputDirectory {
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    public Path dir() {
        return out;
    }

    /** A file or folder inside the output directory. */
    public Path resolve(String name) {
        return out.resolve(name);
    }
}
