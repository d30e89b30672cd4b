package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import org.robustseg.model.SegmentationModel;

/**
 * The gradient of an objective with respect to the input images only — the one computation
 * behind attacks, synthesis, saliency maps and PAG metrics. Parameters are frozen for the
 * backward pass and unfrozen afterwards; BatchNorm uses running statistics unless
 * {@link ForwardMode#TRAINING} is asked for.
 *
 * <p>The gradient is that of the <em>sum</em> of the per-sample losses, so each image's gradient
 * is the gradient of its own loss (in eval mode images do not interact).
 *
 * @param gradient ∂loss/∂x, same shape as x
 * @param lossPerSample the objective's N values at x (no gradient attached)
 * @param logits the logits at x (no gradient attached)
 */
public record InputGradient(NDArray gradient, NDArray lossPerSample, NDArray logits) {

    /** The gradient of {@code objective} at x against {@code target}, BatchNorm in eval statistics. */
    public static InputGradient of(SegmentationModel model, NDArray x, Objective objective, NDArray target) {
        return of(model, Objective.Context.of(x, x, null, target), objective, ForwardMode.EVAL);
    }

    /**
     * The gradient at {@code at.x()}; {@code at.logits()} is ignored (recomputed), the rest of the
     * context (x0, step) is passed to the objective. The arrays returned live in x's manager.
     */
    public static InputGradient of(SegmentationModel model, Objective.Context at, Objective objective, ForwardMode mode) {
        NDArray x0 = at.x();
        NDList out = Scoped.computeAll(() -> {
            try (FrozenParameters frozen = new FrozenParameters(model, mode)) {
                NDArray x = x0.duplicate();
                x.setRequiresGradient(true);
                try (GradientCollector collector = x.getManager().getEngine().newGradientCollector()) {
                    NDArray logits = model.forward(x, mode == ForwardMode.TRAINING).get(0);
                    NDArray loss = objective.perSample(new Objective.Context(
                            x, at.x0(), logits, at.target(), at.step(), at.steps()));
                    checkLoss(loss, objective, x);
                    collector.backward(loss.sum());
                    return new NDList(x.getGradient().duplicate(), loss.stopGradient(), logits.stopGradient());
                }
            }
        });
        model.verifyPendingNumerics(); // a shape first seen inside the collector: its backward kernels now
        return new InputGradient(out.get(0), out.get(1), out.get(2));
    }

    static void checkLoss(NDArray loss, Objective objective, NDArray x) {
        long n = x.getShape().get(0);
        if (loss.getShape().dimension() != 1 || loss.getShape().get(0) != n) {
            throw new IllegalStateException("objective '" + objective.name() + "' returned shape " + loss.getShape()
                    + ", expected one value per image (" + n + ")");
        }
        if (loss.isNaN().any().getBoolean()) {
            throw new IllegalStateException("objective '" + objective.name() + "' produced NaN loss");
        }
    }
}
