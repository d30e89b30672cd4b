package org.robustseg.cli.options;

import org.robustseg.synth.Inpainting;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The inpainting optimiser's options ({@code inpaint}, {@code pag}), defaults from {@link Inpainting}'s
 * constants, and {@code --hole}: the side of the square hole cut over each image's largest object.
 */
public final class InpaintingOptions {
    /** Side of the square hole in pixels: about a garment's size in a 64x64 FashionScenes scene. */
    public static final int DEFAULT_HOLE = 22;

    @Option(names = "--hole", defaultValue = "" + DEFAULT_HOLE,
            description = "Side of the square hole over each image's largest object, in pixels (inpaint: data-set mode; default ${DEFAULT-VALUE}).")
    int hole;

    @Option(names = "--fill", defaultValue = Inpainting.DEFAULT_FILL,
            description = "What the hole holds before optimising: mean, noise or blur (default ${DEFAULT-VALUE}).")
    String fill;

    @Option(names = "--norm", defaultValue = Inpainting.DEFAULT_NORM,
            description = "Inpainting ball: l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "" + Inpainting.DEFAULT_EPS,
            description = "Radius of the inpainting ball around the filled image (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "" + Inpainting.DEFAULT_STEPS,
            description = "Inpainting iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "" + Inpainting.DEFAULT_STEP_SIZE,
            description = "Inpainting's normalised step length (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Option(names = "--dilate", defaultValue = "" + Inpainting.DEFAULT_DILATE,
            description = "Inpainting loss over the hole grown by this many pixels (default ${DEFAULT-VALUE}).")
    int dilate;

    @Mixin
    GradientShaping shaping;

    public int hole() {
        return hole;
    }

    /** --smoothing and --tv, which {@code pag} also applies to generation. */
    public GradientShaping shaping() {
        return shaping;
    }

    /** The values given. */
    public InpaintingParams params() {
        return new InpaintingParams(fill, norm, eps, steps, stepSize, dilate, shaping.smoothing(), shaping.tv());
    }
}
