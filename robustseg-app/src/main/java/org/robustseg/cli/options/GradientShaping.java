package org.robustseg.cli.options;

import org.robustseg.synth.Inpainting;
import picocli.CommandLine.Option;

/** {@code --smoothing} and {@code --tv}: how inpainting and generation shape their gradient steps (both off by default). */
public final class GradientShaping {
    @Option(names = "--smoothing", defaultValue = "" + Inpainting.DEFAULT_SMOOTHING,
            description = "Blur the gradient with this sigma before each step of inpainting and generation (default ${DEFAULT-VALUE}: off).")
    float smoothing;

    @Option(names = "--tv", defaultValue = "" + Inpainting.DEFAULT_TV,
            description = "Weight of a total-variation term for inpainting and generation (default ${DEFAULT-VALUE}: off).")
    float tv;

    public float smoothing() {
        return smoothing;
    }

    public float tv() {
        return tv;
    }
}
