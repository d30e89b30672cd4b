package org.robustseg.model;

import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import java.util.function.Supplier;

/**
 * The one place where the zoo creates normalisation layers. Every block asks here, so that
 * swapping all BatchNorms for a dual BatchNorm (AdvProp: clean vs adversarial statistics) is
 * a change to this class only.
 */
public final class Norms {
    /** DJL's convention: running = momentum·running + (1 − momentum)·batch, i.e. PyTorch's 0.1. */
    static final float MOMENTUM = 0.9f;

    static final float EPSILON = 1e-5f;

    /** Set while a dual-BN model is being built (construction happens on the building thread). */
    private static final ThreadLocal<Boolean> DUAL = ThreadLocal.withInitial(() -> false);

    private Norms() {}

    /**
     * A 2-D BatchNorm over the channel axis of an NCHW tensor; gamma 1, beta 0 at initialisation.
     * Inside {@link #dual} it is a {@link DualBatchNorm} of two such layers.
     */
    public static Block batchNorm() {
        return DUAL.get() ? new DualBatchNorm(plainBatchNorm(), plainBatchNorm()) : plainBatchNorm();
    }

    private static Block plainBatchNorm() {
        return BatchNorm.builder().optAxis(1).optMomentum(MOMENTUM).optEpsilon(EPSILON).build();
    }

    /**
     * Builds with dual BatchNorms: every {@link #batchNorm()} asked for by {@code build} is a
     * {@link DualBatchNorm}. A construction-time switch, so architectures need not know about it.
     */
    static <T> T dual(Supplier<T> build) {
        boolean before = DUAL.get();
        DUAL.set(true);
        try {
            return build.get();
        } finally {
            DUAL.set(before);
        }
    }
}
