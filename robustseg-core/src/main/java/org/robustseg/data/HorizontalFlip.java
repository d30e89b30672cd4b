package org.robustseg.data;

import java.util.Random;

/** Mirrors image and labels left-right with a given probability. */
public final class HorizontalFlip implements JointTransform {
    private final double probability;

    public HorizontalFlip(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("flip probability " + probability + " must be in [0,1]");
        }
        this.probability = probability;
    }

    @Override
    public SegSample apply(SegSample s, Random rng) {
        return rng.nextDouble() < probability ? flip(s) : s;
    }

    /** The left-right mirror image of {@code s}. */
    public static SegSample flip(SegSample s) {
        int h = s.height(), w = s.width();
        float[] image = new float[s.image().length];
        int[] labels = new int[s.labels().length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int from = y * w + x;
                int to = y * w + (w - 1 - x);
                labels[to] = s.labels()[from];
                for (int c = 0; c < 3; c++) {
                    image[c * h * w + to] = s.image()[c * h * w + from];
                }
            }
        }
        return new SegSample(s.id(), h, w, image, labels);
    }
}
