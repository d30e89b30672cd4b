package org.robustseg.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * APGD's step-size rule (Croce &amp; Hein 2020, Algorithm 1) on plain numbers, one instance per
 * run: per image it tracks the best loss, counts the steps since the last checkpoint that
 * increased the loss, and at each checkpoint w_j halves the step size of an image, and sends it
 * back to its best point, when
 * <ol>
 *   <li>fewer than ρ·(w_j − w_{j−1}) of the steps since the last checkpoint increased the loss, or
 *   <li>its step size was not halved at the last checkpoint and its best loss has not changed since.
 * </ol>
 * Kept free of arrays so that the rule can be checked against hand-worked loss sequences;
 * {@link Apgd} applies its decisions to the images.
 */
final class ApgdController {
    private final int[] checkpoints;
    private final double rho;
    private final float[] stepSizes;
    private final float[] best;
    private final float[] last;
    private final int[] increases;
    private final float[] bestAtLastCheck;
    private final boolean[] halvedAtLastCheck;
    private final boolean[] improved;
    private int lastCheck;
    private int nextCheck;

    ApgdController(int n, int steps, float initialStepSize, double rho) {
        this.checkpoints = checkpoints(steps);
        this.rho = rho;
        this.stepSizes = new float[n];
        Arrays.fill(stepSizes, initialStepSize);
        this.best = new float[n];
        this.last = new float[n];
        this.increases = new int[n];
        this.bestAtLastCheck = new float[n];
        this.halvedAtLastCheck = new boolean[n];
        this.improved = new boolean[n];
    }

    /**
     * The checkpoints w_j = ⌈p_j·steps⌉ with p_0 = 0, p_1 = 0.22 and
     * p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06) while p_j ≤ 1, distinct and in [1, steps].
     * The p_j are kept in hundredths (integers), so that 0.22·100 is 22 and not 22.000000000000004,
     * whose ceiling would put the first checkpoint one step late.
     */
    static int[] checkpoints(int steps) {
        List<Integer> w = new ArrayList<>();
        int previous = 0;
        int p = 22;
        while (p <= 100) {
            int at = (p * steps + 99) / 100;
            if (at >= 1 && at <= steps && (w.isEmpty() || w.get(w.size() - 1) != at)) {
                w.add(at);
            }
            int next = p + Math.max(p - previous - 3, 6);
            previous = p;
            p = next;
        }
        return w.stream().mapToInt(Integer::intValue).toArray();
    }

    int[] checkpoints() {
        return checkpoints.clone();
    }

    /**
     * Takes the losses of iterate {@code t} (t = 0 is the start point) and returns, per image,
     * whether the next step starts from its best point with a halved step size (only ever true at a
     * checkpoint). Losses are "larger is better".
     */
    boolean[] observe(int t, float[] loss) {
        int n = best.length;
        for (int i = 0; i < n; i++) {
            improved[i] = t == 0 || loss[i] > best[i];
            if (improved[i]) {
                best[i] = loss[i];
            }
            if (t > 0 && loss[i] > last[i]) {
                increases[i]++;
            }
            last[i] = loss[i];
        }
        boolean[] restart = new boolean[n];
        if (t == 0) {
            System.arraycopy(best, 0, bestAtLastCheck, 0, n);
            return restart;
        }
        if (nextCheck < checkpoints.length && t == checkpoints[nextCheck]) {
            int window = t - lastCheck;
            for (int i = 0; i < n; i++) {
                boolean fewIncreases = increases[i] < rho * window;
                boolean stalled = !halvedAtLastCheck[i] && best[i] == bestAtLastCheck[i];
                restart[i] = fewIncreases || stalled;
                if (restart[i]) {
                    stepSizes[i] /= 2;
                    last[i] = best[i]; // the next step is taken from the best point: compare against its loss
                }
                halvedAtLastCheck[i] = restart[i];
                bestAtLastCheck[i] = best[i];
                increases[i] = 0;
            }
            lastCheck = t;
            nextCheck++;
        }
        return restart;
    }

    /** Per image, whether the last observed iterate became its best point. */
    boolean[] improved() {
        return improved.clone();
    }

    /** The current step size per image. */
    float[] stepSizes() {
        return stepSizes.clone();
    }

    float[] best() {
        return best.clone();
    }
}
