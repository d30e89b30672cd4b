package org.robustseg.optim;

import ai.djl.ndarray.NDArray;

/**
 * One evaluated iterate of {@link InputOptimizer}'s loop, as an {@link IterationListener} sees it:
 * where the run is (restart, step) and the loss of each image at this iterate (the objective at its
 * final parameters, as in the {@link Trace}). The iterate's images can be copied out with
 * {@link #images()} during the call only: the array dies with the iteration's manager.
 */
public final class Iteration {
    private final int restart;
    private final int restarts;
    private final int step;
    private final int steps;
    private final float[] loss;
    private final NDArray iterate;

    Iteration(int restart, int restarts, int step, int steps, float[] loss, NDArray iterate) {
        this.restart = restart;
        this.restarts = restarts;
        this.step = step;
        this.steps = steps;
        this.loss = loss.clone();
        this.iterate = iterate;
    }

    /** The restart this iterate belongs to, 0-based. */
    public int restart() {
        return restart;
    }

    public int restarts() {
        return restarts;
    }

    /** The iterate's index: 0 is the start point, {@link #steps()} the final iterate. */
    public int step() {
        return step;
    }

    /** Gradient steps per restart. */
    public int steps() {
        return steps;
    }

    /** True for the final iterate of the last restart: the run ends after this call. */
    public boolean last() {
        return step == steps && restart == restarts - 1;
    }

    /** The loss of each image at this iterate. */
    public float[] loss() {
        return loss.clone();
    }

    /** The loss averaged over the images. */
    public float meanLoss() {
        double s = 0;
        for (float v : loss) {
            s += v;
        }
        return (float) (s / Math.max(1, loss.length));
    }

    /** A copy of the iterate's images, N×3×H×W floats in [0,1]; valid only during the listener's call. */
    public float[] images() {
        return iterate.toFloatArray();
    }
}
