package org.robustseg.cli.options;

import org.robustseg.synth.Fill;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.Synthesis;

/**
 * What {@link InpaintingOptions} say, as a value a job can take and a stage record can store;
 * {@link #DEFAULTS} are {@link Inpainting}'s constants.
 */
public record InpaintingParams(String fill, String norm, float eps, int steps, float stepSize, int dilate, float smoothing, float tv) {
    public static final InpaintingParams DEFAULTS = new InpaintingParams(Inpainting.DEFAULT_FILL, Inpainting.DEFAULT_NORM,
            Inpainting.DEFAULT_EPS, Inpainting.DEFAULT_STEPS, Inpainting.DEFAULT_STEP_SIZE, Inpainting.DEFAULT_DILATE,
            Inpainting.DEFAULT_SMOOTHING, Inpainting.DEFAULT_TV);

    public InpaintingParams withSteps(int value) {
        return new InpaintingParams(fill, norm, eps, value, stepSize, dilate, smoothing, tv);
    }

    /** The inpainting preset with these settings. */
    public Inpainting configure(long seed) {
        return Synthesis.inpainting().norm(norm).eps(eps).stepSize(stepSize).steps(steps).fill(Fill.parse(fill))
                .dilate(dilate).smoothing(smoothing).tv(tv).seed(seed);
    }
}
