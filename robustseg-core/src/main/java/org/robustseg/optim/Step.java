package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * The geometry of one move and of the allowed set around the original input x0. Every step
 * clamps to the image range [0,1] and honours its optional {@link Mask}: pixels outside the mask
 * keep x0's values bit for bit. Steps are immutable and stateless; {@link #project} is usable on
 * its own (Foolbox's {@code project(x, x0, eps)}).
 */
public abstract class Step {
    private final float stepSize;
    private final Mask mask;

    protected Step(float stepSize, Mask mask) {
        if (!(stepSize >= 0) || Float.isInfinite(stepSize)) {
            throw new IllegalArgumentException("step size must be a finite number >= 0, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.mask = mask;
    }

    /** The radius of the allowed ball around x0 in this step's norm (infinite when unconstrained). */
    public abstract float eps();

    public final float stepSize() {
        return stepSize;
    }

    /** The pixels that may change, or null for all. */
    public final Mask mask() {
        return mask;
    }

    /** The same step restricted to {@code mask} (null: all pixels may change). */
    public abstract Step mask(Mask mask);

    /** The unit ascent direction for a gradient: sign for L∞, per-sample normalised for L2. */
    protected abstract NDArray direction(NDArray gradient);

    /** x projected onto the ball of radius {@link #eps} around x0 (before the [0,1] clamp). */
    protected abstract NDArray projectToBall(NDArray x, NDArray x0);

    /** A random offset from x0, uniform in the ball, as values for an array of {@code shape}. */
    protected abstract float[] randomOffset(Shape shape, RandomGenerator rng);

    /** One ascent move along {@code gradient} (already signed for the loop's direction), projected. */
    public final NDArray move(NDArray x, NDArray gradient, NDArray x0) {
        return Scoped.compute(() -> projectInScope(x.add(direction(gradient).mul(stepSize)), x0));
    }

    /** x projected into the allowed set: the eps-ball around x0, then [0,1], then the mask. */
    public final NDArray project(NDArray x, NDArray x0) {
        return Scoped.compute(() -> projectInScope(x, x0));
    }

    /** A start point drawn uniformly from the ball around x0 (then clamped and masked); PGD's random start. */
    public final NDArray randomStart(NDArray x0, RandomGenerator rng) {
        return Scoped.compute(() -> {
            NDArray offset = x0.getManager().create(randomOffset(x0.getShape(), rng), x0.getShape()).toType(x0.getDataType(), false);
            return projectInScope(offset.add(x0), x0);
        });
    }

    private NDArray projectInScope(NDArray x, NDArray x0) {
        // Clamping toward [0,1] only moves a coordinate toward x0 (x0 ∈ [0,1]), so it never leaves the ball.
        NDArray inBox = projectToBall(x, x0).clip(0, 1);
        if (mask == null) {
            return inBox;
        }
        // where() rather than x0 + m·(x − x0): only a select keeps protected pixels bit-identical.
        return select(mask.resolve(x.getManager(), x.getShape()), inBox, x0);
    }

    /** where(cond, a, b) with cond broadcast to a's shape (DJL's PyTorch where does not broadcast). */
    static NDArray select(NDArray cond, NDArray a, NDArray b) {
        NDArray c = cond.getShape().equals(a.getShape()) ? cond : cond.broadcast(a.getShape());
        return NDArrays.where(c, a, b);
    }

    /** Per-sample L2 norm of an N×... array as N×1×1×1, floored at 1e-12 so it can divide. */
    static NDArray l2PerSample(NDArray a) {
        int[] axes = new int[a.getShape().dimension() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        return a.square().sum(axes, true).sqrt().maximum(1e-12f);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(eps=" + eps() + ", stepSize=" + stepSize + (mask == null ? "" : ", masked") + ")";
    }

    static float checkEps(float eps, float max, String norm) {
        if (!(eps >= 0) || eps > max) {
            throw new IllegalArgumentException("eps must be in [0, " + max + "] for " + norm + ", got " + eps);
        }
        return eps;
    }
}
