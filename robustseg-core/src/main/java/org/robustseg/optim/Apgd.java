package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.robustseg.Fluent;
import org.robustseg.engine.OwnedArrays;

/**
 * APGD's schedule (Croce &amp; Hein 2020, "Reliable evaluation of adversarial robustness with an
 * ensemble of diverse parameter-free attacks", Algorithm 1) as a {@link StepSchedule} of the one
 * loop, for any {@link Step} (L∞: sign steps, L2: normalised steps) and any {@link Objective}:
 * <pre>
 *   z^{k+1} = P(x^k + η_i · dir(∇f(x^k)))                      (the step's own move, per-image η)
 *   x^{k+1} = P(x^k + α(z^{k+1} − x^k) + (1 − α)(x^k − x^{k−1}))  (α = momentum, 0.75; α = 1 at k = 0)
 * </pre>
 * Each image's step size starts at the step's {@link Step#stepSize()} (2·eps for the attack
 * presets) and is halved at the checkpoints by {@link ApgdController}'s rule, which also sends the
 * image back to its best point (with the gradient there) for the next move. Why: a fixed step is
 * either too large to settle or too small to travel; APGD travels first and settles later,
 * without a step size to tune, and restarting from the best point keeps a bad excursion from
 * costing the rest of the run.
 *
 * <p>"Best" and "increased" are judged on the loop's fixed criterion (the objective at its final
 * parameters, see {@link InputOptimizer}), so a scheduled objective cannot trigger a halving by
 * its own rescaling. The loop's own selection still decides what is returned, so per image the
 * result is never weaker than the run's first iterate. Immutable ({@link Fluent}); the per-image
 * state lives in the {@link StepSchedule.Run} the loop starts for each restart.
 */
public final class Apgd extends Fluent<Apgd> implements StepSchedule {
    private float momentum = 0.75f;
    private double rho = 0.75;

    /** APGD with the published constants: momentum α = 0.75, ρ = 0.75. */
    public static Apgd create() {
        return new Apgd();
    }

    private Apgd() {}

    /** α, the weight of the new step against the previous move (1: no momentum). */
    public Apgd momentum(float value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("momentum must be in (0, 1], got " + value);
        }
        return with(c -> c.momentum = value);
    }

    /** ρ, the fraction of steps since the last checkpoint that must have raised the loss to keep the step size. */
    public Apgd rho(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("rho must be in [0, 1], got " + value);
        }
        return with(c -> c.rho = value);
    }

    public float momentum() {
        return momentum;
    }

    public double rho() {
        return rho;
    }

    @Override
    public String name() {
        return "apgd";
    }

    @Override
    public float defaultStepSize(float eps, int steps) {
        return 2 * eps;
    }

    @Override
    public Run start(Step step, NDArray x0, int steps, NDManager home) {
        return new ApgdRun(step, x0, steps, home);
    }

    @Override
    public String toString() {
        return "apgd(momentum=" + momentum + ", rho=" + rho + ")";
    }

    /** One run's state: the controller's numbers and, per image, the previous iterate, the best point and its gradient. */
    private final class ApgdRun implements Run {
        private final Step step;
        private final NDArray x0;
        private final NDManager home;
        private final ApgdController controller;
        private NDArray previous;
        private NDArray bestX;
        private NDArray bestAscent;

        ApgdRun(Step step, NDArray x0, int steps, NDManager home) {
            this.step = step;
            this.x0 = x0;
            this.home = home;
            this.controller = new ApgdController((int) x0.getShape().get(0), steps, step.stepSize(), rho);
        }

        @Override
        public NDArray next(int t, NDArray x, NDArray ascent, float[] progress) {
            boolean[] restart = controller.observe(t, progress);
            int n = restart.length;
            Shape perImage = new Shape(n, 1, 1, 1);
            NDManager m = x.getManager();
            bestX = keep(bestX == null ? x.duplicate() : Step.select(OwnedArrays.of(m, controller.improved(), perImage), x, bestX), bestX);
            bestAscent = keep(bestAscent == null ? ascent.duplicate()
                    : Step.select(OwnedArrays.of(m, controller.improved(), perImage), ascent, bestAscent), bestAscent);
            boolean anyRestart = false;
            for (boolean r : restart) {
                anyRestart |= r;
            }
            NDArray base = x;
            NDArray direction = ascent;
            if (anyRestart) {
                NDArray back = OwnedArrays.of(m, restart, perImage);
                base = Step.select(back, bestX, x);
                direction = Step.select(back, bestAscent, ascent);
            }
            NDArray sizes = OwnedArrays.of(m, controller.stepSizes(), perImage).toType(x.getDataType(), false);
            NDArray z = step.move(base, direction, x0, sizes);
            NDArray next = previous == null || t == 0 ? z
                    : step.project(base.add(OwnedArrays.mul(z.sub(base), momentum)).add(OwnedArrays.mul(base.sub(previous), 1 - momentum)), x0);
            previous = keep(base.duplicate(), previous);
            return next;
        }

        /** Moves {@code fresh} out of the iteration's scope into the run's manager, closing what it replaces. */
        private NDArray keep(NDArray fresh, NDArray replaced) {
            NDScope.unregister(fresh);
            fresh.attach(home);
            if (replaced != null && replaced != fresh) {
                replaced.close();
            }
            return fresh;
        }

        @Override
        public void close() {
            for (NDArray a : new NDArray[] {previous, bestX, bestAscent}) {
                if (a != null) {
                    a.close();
                }
            }
        }
    }
}
