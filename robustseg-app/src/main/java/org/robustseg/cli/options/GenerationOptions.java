package org.robustseg.cli.options;

import org.robustseg.synth.Generation;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The generation optimiser's options of {@code generate}, defaults from {@link Generation}'s
 * constants. ({@code pag} runs inpainting too, so its generation options are named {@code --gen-*};
 * their defaults are the same constants.)
 */
public final class GenerationOptions {
    @Mixin
    SeedImageChoice seedImage;

    @Option(names = "--norm", defaultValue = Generation.DEFAULT_NORM,
            description = "l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "" + Generation.DEFAULT_EPS,
            description = "Radius of the ball around the seed (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "" + Generation.DEFAULT_STEPS, description = "Iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "" + Generation.DEFAULT_STEP_SIZE,
            description = "Normalised step length (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Mixin
    GradientShaping shaping;

    /** The values given. */
    public GenerationParams params() {
        return new GenerationParams(seedImage.name(), norm, eps, steps, stepSize, shaping.smoothing(), shaping.tv());
    }
}
