package org.robustseg.synth;

import java.util.Arrays;
import org.robustseg.optim.Trace;

/**
 * What a synthesis run returns, as plain Java arrays (no native memory to close): the start
 * images, the synthesised images, the target label map, the region that was allowed to change,
 * the synthesising model's own prediction on its result, and per-image figures.
 *
 * @param count number of images N
 * @param height image height H
 * @param width image width W
 * @param start the start point of the optimisation, N×3×H×W in [0,1] (filled image or seed image)
 * @param images the synthesised images, N×3×H×W in [0,1]
 * @param target the target label map N×H×W (255 = ignore)
 * @param region the pixels that were allowed to change, N×H×W (all true for generation)
 * @param predictions the synthesising model's arg-max prediction on {@code images}, N×H×W
 * @param lossBefore the objective at the start, per image
 * @param lossAfter the objective at the kept iterate, per image
 * @param trace the loss at every iterate
 */
public record SynthesisResult(int count, int height, int width, float[] start, float[] images, int[] target,
                              boolean[] region, int[] predictions, float[] lossBefore, float[] lossAfter, Trace trace) {

    /** Image i of the result, CHW. */
    public float[] image(int i) {
        int px = 3 * height * width;
        return Arrays.copyOfRange(images, i * px, (i + 1) * px);
    }

    /** Start image i (filled or seed), CHW. */
    public float[] startImage(int i) {
        int px = 3 * height * width;
        return Arrays.copyOfRange(start, i * px, (i + 1) * px);
    }

    /** Target label map of image i, HW. */
    public int[] target(int i) {
        return Arrays.copyOfRange(target, i * height * width, (i + 1) * height * width);
    }

    /** The model's prediction on result i, HW. */
    public int[] prediction(int i) {
        return Arrays.copyOfRange(predictions, i * height * width, (i + 1) * height * width);
    }

    /** The region of image i that could change. */
    public Hole region(int i) {
        return new Hole(height, width, Arrays.copyOfRange(region, i * height * width, (i + 1) * height * width));
    }

    /**
     * The synthesising model's own pixel accuracy against the target inside the region, per image
     * (ignore pixels skipped; with {@code objectsOnly} also pixels whose target is {@code background}).
     * NaN for an image with no such pixel.
     */
    public float[] selfAccuracy(boolean objectsOnly, int background) {
        float[] acc = new float[count];
        int plane = height * width;
        for (int i = 0; i < count; i++) {
            int hit = 0;
            int n = 0;
            for (int p = i * plane; p < (i + 1) * plane; p++) {
                int t = target[p];
                if (region[p] && t != 255 && !(objectsOnly && t == background)) {
                    n++;
                    hit += predictions[p] == t ? 1 : 0;
                }
            }
            acc[i] = n == 0 ? Float.NaN : (float) hit / n;
        }
        return acc;
    }
}
