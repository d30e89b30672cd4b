package org.robustseg.cli.options;

import org.robustseg.synth.ColourStatistics;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.SeedImage;
import org.robustseg.synth.Synthesis;

/**
 * What the generation options say, as a value a job can take and a stage record can store;
 * {@link #DEFAULTS} are {@link Generation}'s constants.
 */
public record GenerationParams(String seedImage, String norm, float eps, int steps, float stepSize, float smoothing, float tv) {
    public static final GenerationParams DEFAULTS = new GenerationParams(Generation.DEFAULT_SEED_IMAGE, Generation.DEFAULT_NORM,
            Generation.DEFAULT_EPS, Generation.DEFAULT_STEPS, Generation.DEFAULT_STEP_SIZE, Inpainting.DEFAULT_SMOOTHING,
            Inpainting.DEFAULT_TV);

    public GenerationParams withSteps(int value) {
        return new GenerationParams(seedImage, norm, eps, value, stepSize, smoothing, tv);
    }

    /** The generation preset with these settings, drawing seeds from {@code statistics}. */
    public Generation configure(ColourStatistics statistics, long seed) {
        return Synthesis.generation(statistics).seedImage(SeedImage.parse(seedImage)).norm(norm).eps(eps).stepSize(stepSize)
                .steps(steps).smoothing(smoothing).tv(tv).seed(seed);
    }
}
