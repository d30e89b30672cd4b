package org.robustseg.optim;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectivesTest {
    static NDManager manager;
    static final int N = 2, C = 4, H = 3, W = 5;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static float[] logitValues(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[N * C * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (2 * r.nextGaussian());
        }
        return v;
    }

    static int[] labelValues(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[N * H * W];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % 7 == 3 ? 255 : r.nextInt(C);
        }
        return l;
    }

    static float[] eval(Objective o, float[] logits, int[] labels, int t, int iterations) {
        NDArray z = manager.create(logits, new Shape(N, C, H, W));
        NDArray y = manager.create(labels, new Shape(N, H, W));
        return o.perSample(new Objective.Context(null, null, z, y, t, iterations)).toFloatArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce", "masked-ce", "balanced-ce", "js", "masked-spherical", "masked-margin"})
    void ignorePixelsNeverContribute(String name) {
        float[] z = logitValues(1);
        int[] y = labelValues(2);
        float[] changed = z.clone();
        for (int p = 0; p < y.length; p++) {
            if (y[p] == 255) {
                int n = p / (H * W);
                int hw = p % (H * W);
                for (int c = 0; c < C; c++) {
                    changed[(n * C + c) * H * W + hw] += 5 * (c + 1);
                }
            }
        }
        Objective o = Objectives.parse(name);
        assertArrayEquals(eval(o, z, y, 3, 10), eval(o, changed, y, 3, 10), 1e-6f);
    }

    /** Per-pixel helpers computed independently in double. */
    static double logSoftmax(float[] z, int n, int hw, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) {
            max = Math.max(max, z[(n * C + c) * H * W + hw]);
        }
        double s = 0;
        for (int c = 0; c < C; c++) {
            s += Math.exp(z[(n * C + c) * H * W + hw] - max);
        }
        return z[(n * C + k) * H * W + hw] - max - Math.log(s);
    }

    static boolean correct(float[] z, int n, int hw, int y) {
        for (int c = 0; c < C; c++) {
            if (c != y && z[(n * C + c) * H * W + hw] >= z[(n * C + y) * H * W + hw]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void seaLossesMatchIndependentFormulas() {
        float[] z = logitValues(3);
        int[] y = labelValues(4);
        int t = 3, iterations = 10;
        double lambda = t / (2.0 * iterations);
        float[] js = eval(Objectives.jensenShannon(), z, y, t, iterations);
        float[] mce = eval(Objectives.maskedCrossEntropy(), z, y, t, iterations);
        float[] bce = eval(Objectives.balancedCrossEntropy(), z, y, t, iterations);
        float[] mm = eval(Objectives.maskedMargin(), z, y, t, iterations);
        float[] ms = eval(Objectives.maskedSpherical(), z, y, t, iterations);
        for (int n = 0; n < N; n++) {
            double sJs = 0, sMce = 0, sBce = 0, sMm = 0, sMs = 0;
            int valid = 0;
            for (int hw = 0; hw < H * W; hw++) {
                int lab = y[n * H * W + hw];
                if (lab == 255) {
                    continue;
                }
                valid++;
                double[] p = new double[C];
                for (int c = 0; c < C; c++) {
                    p[c] = Math.exp(logSoftmax(z, n, hw, c));
                }
                // generic JS between p and one-hot q, via m = (p+q)/2
                double kl1 = 0, kl2 = 0;
                for (int c = 0; c < C; c++) {
                    double q = c == lab ? 1 : 0;
                    double mc = (p[c] + q) / 2;
                    kl1 += p[c] * Math.log(p[c] / mc);
                    kl2 += q == 0 ? 0 : q * Math.log(q / mc);
                }
                sJs += 0.5 * (kl1 + kl2);
                double ce = -logSoftmax(z, n, hw, lab);
                boolean ok = correct(z, n, hw, lab);
                sMce += ok ? ce : 0;
                sBce += (ok ? 1 - lambda : lambda) * ce;
                if (ok) {
                    double zy = z[(n * C + lab) * H * W + hw];
                    double other = Double.NEGATIVE_INFINITY;
                    double norm = 0;
                    for (int c = 0; c < C; c++) {
                        double v = z[(n * C + c) * H * W + hw];
                        norm += v * v;
                        if (c != lab) {
                            other = Math.max(other, v);
                        }
                    }
                    sMm += -(zy - other) / Math.sqrt(norm);
                    sMs += -zy / Math.sqrt(norm);
                }
            }
            assertEquals(sJs / valid, js[n], 1e-5, "js");
            assertEquals(sMce / valid, mce[n], 1e-5, "masked-ce");
            assertEquals(sBce / valid, bce[n], 1e-5, "balanced-ce");
            assertEquals(sMm / valid, mm[n], 1e-5, "masked-margin");
            assertEquals(sMs / valid, ms[n], 1e-5, "masked-spherical");
        }
    }

    @Test
    void balancedCeStartsAsMaskedCe() {
        float[] z = logitValues(5);
        int[] y = labelValues(6);
        assertArrayEquals(eval(Objectives.maskedCrossEntropy(), z, y, 0, 10), eval(Objectives.balancedCrossEntropy(), z, y, 0, 10), 1e-6f);
    }

    @Test
    void compositesAddWeightedParts() {
        float[] z = logitValues(7);
        int[] y = labelValues(8);
        Objective sum = Objectives.sum(Objectives.crossEntropy(), Objectives.weighted(0.5f, Objectives.jensenShannon()));
        float[] ce = eval(Objectives.crossEntropy(), z, y, 0, 1);
        float[] js = eval(Objectives.jensenShannon(), z, y, 0, 1);
        float[] got = eval(sum, z, y, 0, 1);
        for (int n = 0; n < N; n++) {
            assertEquals(ce[n] + 0.5f * js[n], got[n], 1e-5);
        }
        assertEquals("ce+0.5*js", sum.name());
    }

    @Test
    void distanceToStartCountsOnlyTheRegion() {
        NDArray x0 = manager.zeros(new Shape(1, 3, 4, 4));
        NDArray x = manager.ones(new Shape(1, 3, 4, 4)).mul(0.5f);
        Objective.Context c = new Objective.Context(x, x0, null, null, 0, 1);
        assertEquals(0.25f, Objectives.distanceToStart(null).perSample(c).getFloat(0), 1e-7f);
        assertEquals(0.25f, Objectives.distanceToStart(Mask.box(0, 0, 2, 2)).perSample(c).getFloat(0), 1e-7f);
    }

    @Test
    void unknownLossNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("hinge"));
        assertTrue(e.getMessage().contains("hinge") && e.getMessage().contains(String.join(", ", Objectives.NAMES)), e.getMessage());
        assertEquals(List.of("masked-ce", "balanced-ce", "js", "masked-spherical"), Objectives.sea().stream().map(Objective::name).toList());
    }
}
