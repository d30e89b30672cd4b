package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.random.RandomGenerator;
import org.robustseg.engine.OwnedArrays;

/**
 * The geometry of one move and of the allowed set around the original input x0. Every step
 * clamps to the image range [0,1] and honours its optional {@link Mask}: pixels outside the mask
 * keep x0's values bit for bit. Steps are immutable and stateless; {@link #project} is usable on
 * its own (Foolbox's {@code project(x, x0, eps)}).
 *
 * <p>With a mask, the geometry is that of the free coordinates alone: the gradient is restricted
 * to the mask before it is normalised, the perturbation is restricted before it is projected, and
 * the random start is drawn in the ball over the free coordinates. Normalising or projecting the
 * whole array and masking afterwards would move a hole by only s·‖g_M‖/‖g‖ per step and confine it
 * to a radius eps·‖δ_M‖/‖δ‖, so a masked attack would silently run at a smaller budget than asked.
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

    /** This step's geometry, but random starts at x0 + sigma·N(0,1) per free coordinate (TRADES' start). */
    public Step withGaussianStart(float sigma) {
        return new GaussianStart(this, sigma);
    }

    /**
     * The unit ascent direction for a gradient that is already zero outside the mask: sign for L∞,
     * per-sample normalised for L2.
     */
    protected abstract NDArray direction(NDArray gradient);

    /**
     * x projected onto the ball of radius {@link #eps} around x0 (before the [0,1] clamp); x equals
     * x0 outside the mask, so the norm is that of the free coordinates.
     */
    protected abstract NDArray projectToBall(NDArray x, NDArray x0);

    /**
     * A random offset from x0, uniform in the ball over the free coordinates, as values for an
     * array of {@code shape}: {@code free[i]} says whether coordinate i may change (null: all may),
     * and coordinates that may not are 0.
     */
    protected abstract float[] randomOffset(Shape shape, boolean[] free, RandomGenerator rng);

    /** One ascent move along {@code gradient} (already signed for the loop's direction), projected. */
    public final NDArray move(NDArray x, NDArray gradient, NDArray x0) {
        return Scoped.compute(() -> projectInScope(x.add(OwnedArrays.mul(unitDirection(x, gradient), stepSize)), x0));
    }

    /**
     * One ascent move with a step size per image ({@code stepSizes}, N×1×1×1) instead of
     * {@link #stepSize}: APGD halves the step of each image on its own ({@link Apgd}).
     */
    public final NDArray move(NDArray x, NDArray gradient, NDArray x0, NDArray stepSizes) {
        return Scoped.compute(() -> projectInScope(x.add(unitDirection(x, gradient).mul(stepSizes)), x0));
    }

    private NDArray unitDirection(NDArray x, NDArray gradient) {
        // mask first: the direction is that of the gradient restricted to the free pixels
        NDArray g = mask == null ? gradient : select(resolve(x), gradient, gradient.zerosLike());
        return direction(g);
    }

    /** x projected into the allowed set: the eps-ball around x0, then [0,1], then the mask. */
    public final NDArray project(NDArray x, NDArray x0) {
        return Scoped.compute(() -> projectInScope(x, x0));
    }

    /** A start point drawn uniformly from the ball around x0 (then clamped and masked); PGD's random start. */
    public final NDArray randomStart(NDArray x0, RandomGenerator rng) {
        return Scoped.compute(() -> {
            boolean[] free = null;
            if (mask != null) {
                NDArray m = resolve(x0);
                free = (m.getShape().equals(x0.getShape()) ? m : m.broadcast(x0.getShape())).toBooleanArray();
            }
            NDArray offset = OwnedArrays.of(x0.getManager(), randomOffset(x0.getShape(), free, rng), x0.getShape()).toType(x0.getDataType(), false);
            return projectInScope(offset.add(x0), x0);
        });
    }

    /**
     * Like {@link #randomStart(NDArray, RandomGenerator)}, but image i's offset is drawn from
     * {@code perImage.get(i)} alone, as if it were a batch of one ({@link ImageStreams}).
     */
    public final NDArray randomStart(NDArray x0, List<? extends RandomGenerator> perImage) {
        return Scoped.compute(() -> {
            Shape shape = x0.getShape();
            int n = (int) shape.get(0);
            if (perImage.size() != n) {
                throw new IllegalArgumentException(perImage.size() + " random streams for a batch of " + n + " images");
            }
            boolean[] free = null;
            if (mask != null) {
                NDArray m = resolve(x0);
                free = (m.getShape().equals(shape) ? m : m.broadcast(shape)).toBooleanArray();
            }
            int per = (int) (shape.size() / n);
            Shape one = new Shape(1, shape.get(1), shape.get(2), shape.get(3));
            float[] all = new float[n * per];
            for (int i = 0; i < n; i++) {
                boolean[] freeI = free == null ? null : java.util.Arrays.copyOfRange(free, i * per, (i + 1) * per);
                System.arraycopy(randomOffset(one, freeI, perImage.get(i)), 0, all, i * per, per);
            }
            NDArray offset = OwnedArrays.of(x0.getManager(), all, shape).toType(x0.getDataType(), false);
            return projectInScope(offset.add(x0), x0);
        });
    }

    private NDArray projectInScope(NDArray x, NDArray x0) {
        NDArray m = mask == null ? null : resolve(x);
        // mask first: protected pixels at x0 contribute nothing to the norm the ball projection measures
        NDArray free = m == null ? x : select(m, x, x0);
        // Clamping toward [0,1] only moves a coordinate toward x0 (x0 ∈ [0,1]), so it never leaves the ball.
        NDArray inBox = projectToBall(free, x0).clip(0, 1);
        if (m == null) {
            return inBox;
        }
        // where() rather than x0 + m·(x − x0): only a select keeps protected pixels bit-identical.
        return select(m, inBox, x0);
    }

    private NDArray resolve(NDArray like) {
        return mask.resolve(like.getManager(), like.getShape());
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
        return OwnedArrays.maximum(a.square().sum(axes, true).sqrt(), 1e-12f);
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
