package org.robustseg.cli.options;

import picocli.CommandLine.Option;

/** {@code --seed N}: the seed of every random choice a command makes, so a run can be repeated exactly. */
public final class Seed {
    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the command's random choices (data, initialisation, random starts, noise; default ${DEFAULT-VALUE}).")
    long seed;

    public long get() {
        return seed;
    }
}
