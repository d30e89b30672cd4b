package org.robustseg.data;

import java.util.List;
import java.util.Random;

/**
 * A random geometric transform applied identically to an image and its label map (training-time
 * augmentation). Implementations never modify their input and draw all randomness from the
 * given {@link Random}, so the same seed gives the same output.
 */
@FunctionalInterface
public interface JointTransform {
    SegSample apply(SegSample sample, Random rng);

    /** This transform, then {@code next}. */
    default JointTransform andThen(JointTransform next) {
        return compose(this, next);
    }

    /** Applies {@code transforms} in order. */
    static JointTransform compose(JointTransform... transforms) {
        List<JointTransform> steps = List.of(transforms);
        return (sample, rng) -> {
            SegSample s = sample;
            for (JointTransform t : steps) {
                s = t.apply(s, rng);
            }
            return s;
        };
    }

    static JointTransform identity() {
        return (sample, rng) -> sample;
    }

    /** Rescales by a factor drawn uniformly from [min, max]: bilinear for the image, nearest for labels. */
    static JointTransform randomScale(float min, float max) {
        return new RandomScale(min, max);
    }

    /** Crops a random height x width window, padding first (image with 0, labels with 255) if needed. */
    static JointTransform randomCrop(int height, int width) {
        return new RandomCrop(height, width, new float[] {0f, 0f, 0f});
    }

    /** Like {@link #randomCrop(int, int)} but pads the image with a per-channel value, e.g. the data mean. */
    static JointTransform randomCrop(int height, int width, float[] imagePadRgb) {
        return new RandomCrop(height, width, imagePadRgb);
    }

    /** Mirrors left-right with probability {@code p}. */
    static JointTransform horizontalFlip(double p) {
        return new HorizontalFlip(p);
    }
}
