package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Another step's geometry (its direction, ball and mask) with a Gaussian start: x0 + σ·N(0, 1)
 * on every free coordinate, instead of a uniform draw from the ball. TRADES starts its inner
 * maximisation this way (σ = 0.001 in the authors' code, yaodongyu/TRADES {@code trades_loss}),
 * because the KL term's gradient vanishes at x itself. Made by {@link Step#withGaussianStart}.
 */
final class GaussianStart extends Step {
    private final Step base;
    private final float sigma;

    GaussianStart(Step base, float sigma) {
        super(base.stepSize(), base.mask());
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("start noise must be a finite number >= 0, got " + sigma);
        }
        this.base = base;
        this.sigma = sigma;
    }

    @Override
    public float eps() {
        return base.eps();
    }

    @Override
    public Step mask(Mask mask) {
        return new GaussianStart(base.mask(mask), sigma);
    }

    @Override
    protected NDArray direction(NDArray gradient) {
        return base.direction(gradient);
    }

    @Override
    protected NDArray projectToBall(NDArray x, NDArray x0) {
        return base.projectToBall(x, x0);
    }

    @Override
    protected float[] randomOffset(Shape shape, boolean[] free, RandomGenerator rng) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = free == null || free[i] ? (float) (sigma * rng.nextGaussian()) : 0f;
        }
        return v;
    }

    @Override
    public String toString() {
        return base + " with start x0 + " + sigma + "·N(0,1)";
    }
}
