package org.robustseg.optim;

import java.util.List;

/**
 * The loss of every image at every evaluated iterate (the objective at its final parameters, the
 * criterion the loop selects by), restart after restart: entry
 * {@code r * (steps + 1) + t} holds the N losses of restart r at iterate t (t = steps
 * is the final iterate, evaluated without a step; missing when
 * {@link InputOptimizer#evaluateLast(boolean)} is false).
 */
public record Trace(int restarts, int steps, List<float[]> lossPerSample) {
    public Trace {
        lossPerSample = List.copyOf(lossPerSample);
    }

    /** Mean loss over the batch per entry, in the order of {@link #lossPerSample}. */
    public float[] meanLoss() {
        float[] mean = new float[lossPerSample.size()];
        for (int i = 0; i < mean.length; i++) {
            float[] l = lossPerSample.get(i);
            double s = 0;
            for (float v : l) {
                s += v;
            }
            mean[i] = (float) (s / Math.max(1, l.length));
        }
        return mean;
    }
}
