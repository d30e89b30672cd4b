package org.robustseg.cli.options;

import org.robustseg.synth.Generation;
import picocli.CommandLine.Option;

/** {@code --seed-image}: how generation draws its start images ({@code generate}, {@code pag}). */
public final class SeedImageChoice {
    @Option(names = "--seed-image", defaultValue = Generation.DEFAULT_SEED_IMAGE,
            description = "Generation seeds: gaussian, gaussian-lowres or uniform (default ${DEFAULT-VALUE}).")
    String seedImage;

    /** The name given (parsed where the preset is configured, so a bad name fails there, as before). */
    public String name() {
        return seedImage;
    }
}
