package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * How the loop turns one iterate and its ascent direction into the next: the fixed-size projected
 * step of PGD ({@link #FIXED}, the default) or APGD's adaptive step with momentum and restarts
 * from the best point ({@link Apgd}). The loop asks the schedule for a fresh {@link Run} at the
 * start of every restart, so the configured schedule stays immutable and shareable (an eps sweep,
 * adversarial training's inner maximisation) while its per-image state (step sizes, best point,
 * checkpoints) lives only as long as one run.
 */
public interface StepSchedule {

    /** A short name for settings and traces, e.g. "fixed" or "apgd". */
    String name();

    /**
     * The step size an attack uses under this schedule when none is set: 2.5·eps/steps for PGD
     * (Madry et al.), 2·eps for APGD (Croce &amp; Hein 2020, its initial step before any halving).
     */
    float defaultStepSize(float eps, int steps);

    /**
     * Per-run state for a run of {@code steps} steps around {@code x0} with geometry {@code step}.
     * Arrays the run keeps between iterations must live in {@code home} (the run's manager).
     */
    Run start(Step step, NDArray x0, int steps, NDManager home);

    /** The state of one run. */
    interface Run extends AutoCloseable {
        /**
         * The next iterate from iterate {@code t} (0-based) at {@code x}, given the ascent direction
         * there ({@code ascent}, already signed for the loop's direction) and each image's progress
         * (the loop's fixed-criterion loss, signed so that larger is better). The result may live in
         * the iteration's scope: the loop takes it over.
         */
        NDArray next(int t, NDArray x, NDArray ascent, float[] progress);

        @Override
        void close();
    }

    /** PGD's schedule: every move is {@link Step#move} with the step's own size; no state. */
    StepSchedule FIXED = new StepSchedule() {
        @Override
        public String name() {
            return "fixed";
        }

        @Override
        public float defaultStepSize(float eps, int steps) {
            return 2.5f * eps / steps;
        }

        @Override
        public Run start(Step step, NDArray x0, int steps, NDManager home) {
            return new Run() {
                @Override
                public NDArray next(int t, NDArray x, NDArray ascent, float[] progress) {
                    return step.move(x, ascent, x0);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public String toString() {
            return name();
        }
    };
}
