package org.robustseg.train;

import java.util.Random;
import org.robustseg.data.JointTransform;
import org.robustseg.data.SegSample;

/** Turns {@link Augmentation} settings into the data package's joint transforms. */
final class AugmentationPipeline {
    private AugmentationPipeline() {}

    static SegSample apply(Augmentation a, SegSample s, Random rng) {
        JointTransform t = JointTransform.identity();
        if (a.minScale() != 1f || a.maxScale() != 1f) {
            // rescale, then crop (or pad with ignore) back to the original size so batches stay uniform
            t = t.andThen(JointTransform.randomScale(a.minScale(), a.maxScale()))
                    .andThen(JointTransform.randomCrop(s.height(), s.width()));
        }
        if (a.flip()) {
            t = t.andThen(JointTransform.horizontalFlip(0.5));
        }
        return t.apply(s, rng);
    }
}
