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
            t = t.andThen(JointTransform.randomScale(a.minScale(), a.maxScale()));
        }
        if (a.crop() > 0) {
            t = t.andThen(JointTransform.randomCrop(a.crop(), a.crop()));
        } else if (a.minScale() != 1f || a.maxScale() != 1f) {
            // back to the original size (padding labels with ignore) so batches stay uniform
            t = t.andThen(JointTransform.randomCrop(s.height(), s.width()));
        }
        if (a.flip()) {
            t = t.andThen(JointTransform.horizontalFlip(0.5));
        }
        return t.apply(s, rng);
    }
}
