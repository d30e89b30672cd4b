package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Per-sample L2-normalised gradient steps bounded only by the [0,1] box (and the mask); for
 * synthesis. With a mask the gradient is normalised over the free coordinates (see {@link Step}).
 */
public final class UnconstrainedStep extends Step {

    public UnconstrainedStep(float stepSize) {
        this(stepSize, null);
    }

    public UnconstrainedStep(float stepSize, Mask mask) {
        super(stepSize, mask);
    }

    @Override
    public float eps() {
        return Float.POSITIVE_INFINITY;
    }

    @Override
    public UnconstrainedStep mask(Mask mask) {
        return new UnconstrainedStep(stepSize(), mask);
    }

    @Override
    protected NDArray direction(NDArray gradient) {
        return gradient.div(l2PerSample(gradient));
    }

    @Override
    protected NDArray projectToBall(NDArray x, NDArray x0) {
        return x;
    }

    /** No ball to sample from: a random start is x0 itself. */
    @Override
    protected float[] randomOffset(Shape shape, boolean[] free, RandomGenerator rng) {
        return new float[(int) shape.size()];
    }
}
