package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;
import org.robustseg.engine.OwnedArrays;

/**
 * L2 geometry: steps along the per-sample L2-normalised gradient, projected onto the L2 ball of
 * radius eps around x0, per sample. With a mask, both norms are over the free coordinates only
 * (see {@link Step}).
 */
public final class L2Step extends Step {
    /**
     * The projection aims a hair inside the ball so that float rounding in x0 + δ·s can never put
     * ‖x − x0‖ above eps (the guarantee callers test with a 1e-6 tolerance).
     */
    static final float INSIDE = 1 - 1e-6f;

    private final float eps;

    public L2Step(float eps, float stepSize) {
        this(eps, stepSize, null);
    }

    public L2Step(float eps, float stepSize, Mask mask) {
        super(stepSize, mask);
        this.eps = checkEps(eps, Float.MAX_VALUE, "L2");
    }

    @Override
    public float eps() {
        return eps;
    }

    @Override
    public L2Step mask(Mask mask) {
        return new L2Step(eps, stepSize(), mask);
    }

    @Override
    protected NDArray direction(NDArray gradient) {
        return gradient.div(l2PerSample(gradient));
    }

    @Override
    protected NDArray projectToBall(NDArray x, NDArray x0) {
        NDArray delta = x.sub(x0);
        NDArray scale = OwnedArrays.minimum(OwnedArrays.mul(OwnedArrays.pow(l2PerSample(delta), -1), eps * INSIDE), 1);
        return delta.mul(scale).add(x0);
    }

    @Override
    protected float[] randomOffset(Shape shape, boolean[] free, RandomGenerator rng) {
        // uniform in the d-ball of the sample's free coordinates: Gaussian direction, radius eps·u^(1/d).
        // d is counted per sample, since an N×1×H×W mask may free a different number of pixels in each.
        int n = (int) shape.get(0);
        int size = (int) (shape.size() / n);
        float[] v = new float[n * size];
        for (int s = 0; s < n; s++) {
            int d = 0;
            double norm2 = 0;
            for (int i = s * size; i < (s + 1) * size; i++) {
                if (free == null || free[i]) {
                    double g = rng.nextGaussian();
                    v[i] = (float) g;
                    norm2 += g * g;
                    d++;
                }
            }
            if (d == 0) {
                continue;
            }
            double radius = eps * Math.pow(rng.nextDouble(), 1.0 / d) / Math.sqrt(Math.max(norm2, 1e-24));
            for (int i = s * size; i < (s + 1) * size; i++) {
                v[i] = (float) (v[i] * radius);
            }
        }
        return v;
    }
}
