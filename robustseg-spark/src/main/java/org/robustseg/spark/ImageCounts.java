package org.robustseg.spark;

import java.io.Serializable;
import org.robustseg.metric.ConfusionMatrix;
import org.robustseg.metric.Robustness;

/**
 * One image at one budget as it travels from an executor to the driver: its confusion matrix,
 * which is all the driver needs to sum the data-set figures exactly.
 *
 * @param checkpoint the checkpoint's position in the job's --checkpoint list
 * @param index the image's position in the data set
 * @param id the image's id
 * @param eps the budget
 * @param classes the number of classes; {@code counts} is classes × classes, row-major
 * @param counts the confusion counts
 */
record ImageCounts(int checkpoint, int index, String id, float eps, int classes, long[] counts) implements Serializable {
    static ImageCounts of(int checkpoint, Robustness.ImagePoint p) {
        return new ImageCounts(checkpoint, p.index(), p.id(), p.eps(), p.confusion().numClasses(), p.confusion().counts());
    }

    Robustness.ImagePoint point() {
        return new Robustness.ImagePoint(index, id, eps, ConfusionMatrix.of(classes, counts));
    }
}
