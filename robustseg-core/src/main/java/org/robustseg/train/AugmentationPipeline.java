package org.robustseg.train;

import java.util.Random;
import org.robustseg.data.SegSample;

/** Temporary: horizontal flip only, until the data package's joint transforms are merged. */
final class AugmentationPipeline {
    private AugmentationPipeline() {}

    static SegSample apply(Augmentation a, SegSample s, Random rng) {
        if (!a.flip() || !rng.nextBoolean()) {
            return s;
        }
        int h = s.height();
        int w = s.width();
        float[] img = new float[s.image().length];
        int[] lab = new int[s.labels().length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img[(c * h + y) * w + x] = s.image()[(c * h + y) * w + (w - 1 - x)];
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                lab[y * w + x] = s.labels()[y * w + (w - 1 - x)];
            }
        }
        return new SegSample(s.id(), h, w, img, lab);
    }
}
