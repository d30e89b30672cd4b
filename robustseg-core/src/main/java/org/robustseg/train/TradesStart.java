package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;
import org.robustseg.attack.Norm;
import org.robustseg.optim.Mask;
import org.robustseg.optim.Step;

/**
 * The geometry of the inner maximisation's step (L∞: sign step, clip to the box; L2: normalised
 * step, projection to the ball) with TRADES' start: x + 0.001·N(0, 1) per pixel (then clamped to
 * the ball and to [0,1]) instead of PGD's uniform draw from the whole ball. The authors' code
 * (yaodongyu/TRADES, {@code trades_loss}) starts there because the KL term's gradient vanishes
 * at x itself; a small start keeps the attack local to the clean prediction.
 */
final class TradesStart extends Step {
    /** The standard deviation of the start's Gaussian noise, as in the authors' code. */
    static final float SIGMA = 0.001f;

    private final Norm norm;
    private final float eps;

    TradesStart(Norm norm, float eps, float stepSize, Mask mask) {
        super(stepSize, mask);
        this.norm = norm;
        this.eps = eps;
    }

    @Override
    public float eps() {
        return eps;
    }

    @Override
    public Step mask(Mask value) {
        return new TradesStart(norm, eps, stepSize(), value);
    }

    @Override
    protected NDArray direction(NDArray gradient) {
        return norm == Norm.LINF ? gradient.sign() : gradient.div(l2(gradient));
    }

    @Override
    protected NDArray projectToBall(NDArray x, NDArray x0) {
        if (norm == Norm.LINF) {
            return x.minimum(x0.add(eps)).maximum(x0.sub(eps));
        }
        NDArray delta = x.sub(x0);
        return delta.mul(l2(delta).pow(-1).mul(eps).minimum(1f)).add(x0);
    }

    @Override
    protected float[] randomOffset(Shape shape, RandomGenerator rng) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (SIGMA * rng.nextGaussian());
        }
        return v;
    }

    /** Per-sample L2 norm as N×1×1×1, floored so that it can divide. */
    private static NDArray l2(NDArray a) {
        return a.square().sum(new int[] {1, 2, 3}, true).sqrt().maximum(1e-12f);
    }
}
