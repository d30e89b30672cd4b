package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Differentiable resampling that DJL's public API lacks; the only engine-specific code in the zoo.
 * Both map to the PyTorch ops ({@code interpolate(mode=bilinear, align_corners=False)} and
 * {@code adaptive_avg_pool2d}), so results match a PyTorch reference.
 */
final class SpatialOps {
    private static final int BILINEAR = 1;

    private SpatialOps() {}

    /** Bilinear resize of an NCHW tensor to exactly {@code height×width}. */
    static NDArray resize(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (s.get(2) == height && s.get(3) == width) {
            return x;
        }
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }

    /** Adaptive average pooling to {@code bins×bins}; windows overlap when the size is not divisible. */
    static NDArray adaptiveAvgPool(NDArray x, int bins) {
        return JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(bins, bins));
    }
}
