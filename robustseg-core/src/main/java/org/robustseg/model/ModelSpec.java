package org.robustseg.model;

/**
 * What identifies an architecture instance: its registered name and its number of classes.
 *
 * @param name registered architecture name, e.g. "pspnet-lite"
 * @param numClasses number of output classes C
 */
public record ModelSpec(String name, int numClasses) {
    public ModelSpec {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a segmentation model needs at least 2 classes, got " + numClasses);
        }
    }
}
