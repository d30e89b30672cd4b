package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * L2 geometry: steps along the per-sample L2-normalised gradient, projected onto the L2 ball of
 * radius eps around x0, per sample.
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
        NDArray scale = l2PerSample(delta).pow(-1).mul(eps * INSIDE).minimum(1f);
        return delta.mul(scale).add(x0);
    }

    @Override
    protected float[] randomOffset(Shape shape, RandomGenerator rng) {
        // uniform in the d-ball: Gaussian direction, radius eps·u^(1/d), per sample
        int n = (int) shape.get(0);
        int d = (int) (shape.size() / n);
        float[] v = new float[n * d];
        for (int s = 0; s < n; s++) {
            double norm2 = 0;
            for (int i = 0; i < d; i++) {
                double g = rng.nextGaussian();
                v[s * d + i] = (float) g;
                norm2 += g * g;
            }
            double radius = eps * Math.pow(rng.nextDouble(), 1.0 / d) / Math.sqrt(Math.max(norm2, 1e-24));
            for (int i = 0; i < d; i++) {
                v[s * d + i] = (float) (v[s * d + i] * radius);
            }
        }
        return v;
    }
}
