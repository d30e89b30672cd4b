package org.robustseg.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.robustseg.engine.OwnedArrays;

/**
 * PyTorch's {@code F.interpolate(x, size, mode="bilinear", align_corners=False)}, exactly, as two
 * small matrix products (rows, then columns), so it is differentiable and runs on any engine.
 * DJL's own interpolation always passes {@code antialias=true} to libtorch: the same as PyTorch's
 * default when enlarging, but a different (smoothing) filter when shrinking, and an imported
 * network's card may ask for a smaller input than the image. Its preprocessing in PyTorch is the
 * plain bilinear filter, so that is what robustseg applies.
 */
final class Resampling {
    private Resampling() {}

    /** x (N×C×H×W) resized to {@code height×width}; x itself when it has that size. */
    static NDArray bilinear(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (s.get(2) == height && s.get(3) == width) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rows = OwnedArrays.of(m, weights((int) s.get(2), (int) height), new Shape(height, s.get(2))).toType(x.getDataType(), false);
        NDArray cols = OwnedArrays.of(m, weights((int) s.get(3), (int) width), new Shape(width, s.get(3))).toType(x.getDataType(), false);
        return rows.matMul(x).matMul(cols.transpose());
    }

    /**
     * The out×in matrix of 1-D linear interpolation weights with PyTorch's source index for
     * align_corners=False: src = (i + 0.5)·in/out − 0.5, clamped at 0; neighbours ⌊src⌋ and ⌊src⌋+1
     * (the last pixel repeated at the edge).
     */
    static float[] weights(int in, int out) {
        float[] w = new float[out * in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0.0, (i + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double l1 = src - i0;
            w[i * in + i0] += (float) (1 - l1);
            w[i * in + i1] += (float) l1;
        }
        return w;
    }
}
