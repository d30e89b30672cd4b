package org.robustseg.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/** A registered network family: builds an uninitialised block for a number of classes. */
public interface Architecture {
    /** Registered name, e.g. "pspnet-lite". */
    String name();

    /** One line for {@code ./run info}: what the network is and what it is for. */
    String description();

    /** A fresh, uninitialised block following {@link SegmentationModel}'s forward contract. */
    Block build(int numClasses);

    /** The input shape used to initialise parameters (N×3×H×W); the typical image size for this preset. */
    Shape initShape();

    /** The SGD base learning rate this architecture trains well with (the CLI's default for {@code --lr}). */
    default float defaultLearningRate() {
        return 0.01f;
    }
}
