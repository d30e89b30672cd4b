package org.robustseg.attack;

import ai.djl.ndarray.NDArray;
import org.robustseg.model.SegmentationModel;

/** A way to perturb images against a segmentation model. */
public interface Attack {

    /** Short name, e.g. "pgd-linf". */
    String name();

    /**
     * Perturbs {@code images} (N×3×H×W in [0,1]). {@code labels} (N×H×W, 255 = ignore) are the
     * true labels for an untargeted attack and the target map for a targeted one.
     */
    AttackResult perturb(SegmentationModel model, NDArray images, NDArray labels);
}
