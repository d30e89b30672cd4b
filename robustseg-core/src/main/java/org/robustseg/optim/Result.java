package org.robustseg.optim;

import ai.djl.ndarray.NDArray;

/**
 * What {@link InputOptimizer#run} returns.
 *
 * @param xBest the kept iterate per image, N×C×H×W, owned by the input's manager
 * @param lossPerSample the objective at xBest, per image, evaluated at its final parameters (the
 *     fixed criterion every iterate is compared by; see {@link InputOptimizer})
 * @param accuracyPerSample pixel accuracy against the target at xBest on valid pixels, per image
 * @param trace the same fixed-criterion loss at every iterate of every restart
 */
public record Result(NDArray xBest, float[] lossPerSample, float[] accuracyPerSample, Trace trace) {}
