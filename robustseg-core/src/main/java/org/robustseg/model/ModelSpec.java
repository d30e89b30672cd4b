package org.robustseg.model;

/**
 * What identifies an architecture instance: its registered name, its number of classes and
 * whether its BatchNorms are dual (AdvProp training; the inference model is the ordinary one).
 *
 * @param name registered architecture name, e.g. "pspnet-lite"
 * @param numClasses number of output classes C
 * @param dualBatchNorm every BatchNorm is a {@link DualBatchNorm} (main + auxiliary)
 */
public record ModelSpec(String name, int numClasses, boolean dualBatchNorm) {
    public ModelSpec {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a segmentation model needs at least 2 classes, got " + numClasses);
        }
    }

    /** An ordinary (single-BN) model. */
    public ModelSpec(String name, int numClasses) {
        this(name, numClasses, false);
    }
}
