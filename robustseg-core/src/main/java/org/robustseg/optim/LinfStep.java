package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/** L∞ geometry: sign-gradient steps, clipped to the box of half-width eps around x0 (FGSM, BIM, PGD). */
public final class LinfStep extends Step {
    private final float eps;

    public LinfStep(float eps, float stepSize) {
        this(eps, stepSize, null);
    }

    public LinfStep(float eps, float stepSize, Mask mask) {
        super(stepSize, mask);
        this.eps = checkEps(eps, 1f, "L∞ (pixel values lie in [0,1])");
    }

    @Override
    public float eps() {
        return eps;
    }

    @Override
    public LinfStep mask(Mask mask) {
        return new LinfStep(eps, stepSize(), mask);
    }

    @Override
    protected NDArray direction(NDArray gradient) {
        return gradient.sign();
    }

    @Override
    protected NDArray projectToBall(NDArray x, NDArray x0) {
        // min/max against x0 ± eps leaves coordinates already inside untouched (bit for bit)
        return x.maximum(x0.sub(eps)).minimum(x0.add(eps));
    }

    @Override
    protected float[] randomOffset(Shape shape, boolean[] free, RandomGenerator rng) {
        // coordinates are independent in the box, so drawing only the free ones is the same law
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            if (free == null || free[i]) {
                v[i] = (2 * rng.nextFloat() - 1) * eps;
            }
        }
        return v;
    }
}
