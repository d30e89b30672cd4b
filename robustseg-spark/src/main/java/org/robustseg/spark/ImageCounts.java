package org.robustseg.spark;

import java.io.Serializable;
import org.robustseg.metric.Robustness;

/**
 * One image at one budget as it travels from an executor to the driver: the image's point — its
 * integer counts, for an ensemble every member's and the member kept ({@link Robustness.ImagePoint},
 * no predicted map) — which is all the driver needs to merge the data-set, per-image, per-object
 * and ensemble figures exactly.
 *
 * @param checkpoint the checkpoint's position in the job's --checkpoint list
 * @param point the image's point
 */
record ImageCounts(int checkpoint, Robustness.ImagePoint point) implements Serializable {
    static ImageCounts of(int checkpoint, Robustness.ImagePoint p) {
        return new ImageCounts(checkpoint, p.withoutPredictions());
    }
}
