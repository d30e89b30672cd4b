package org.robustseg.model;

import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;

/**
 * The one place where the zoo creates normalisation layers. Every block asks here, so that
 * swapping all BatchNorms for a dual BatchNorm (AdvProp: clean vs adversarial statistics) is
 * a change to this class only.
 */
public final class Norms {
    /** DJL's convention: running = momentum·running + (1 − momentum)·batch, i.e. PyTorch's 0.1. */
    static final float MOMENTUM = 0.9f;

    static final float EPSILON = 1e-5f;

    private Norms() {}

    /** A 2-D BatchNorm over the channel axis of an NCHW tensor; gamma 1, beta 0 at initialisation. */
    public static Block batchNorm() {
        return BatchNorm.builder().optAxis(1).optMomentum(MOMENTUM).optEpsilon(EPSILON).build();
    }
}
