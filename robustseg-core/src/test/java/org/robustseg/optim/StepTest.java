package org.robustseg.optim;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StepTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<Step> steps() {
        return Stream.of(new LinfStep(8 / 255f, 2 / 255f), new L2Step(0.5f, 0.1f), new L2Step(3f, 1f), new UnconstrainedStep(0.5f));
    }

    static NDArray uniformIn(NDManager m, long seed, Shape shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return m.create(v, shape);
    }

    static NDArray uniform(long seed, Shape shape, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return manager.create(v, shape);
    }

    /** ‖x − x0‖ per sample in the step's norm, computed in double from the float values. */
    static double[] distance(Step step, NDArray x, NDArray x0) {
        float[] a = x.toFloatArray();
        float[] b = x0.toFloatArray();
        int n = (int) x.getShape().get(0);
        int d = a.length / n;
        double[] out = new double[n];
        for (int s = 0; s < n; s++) {
            double r = 0;
            for (int i = s * d; i < (s + 1) * d; i++) {
                double diff = (double) a[i] - b[i];
                r = step instanceof LinfStep ? Math.max(r, Math.abs(diff)) : r + diff * diff;
            }
            out[s] = step instanceof LinfStep ? r : Math.sqrt(r);
        }
        return out;
    }

    static void assertInBox(NDArray x) {
        for (float v : x.toFloatArray()) {
            assertTrue(v >= 0 && v <= 1, "value " + v + " outside [0,1]");
        }
    }

    @ParameterizedTest
    @MethodSource("steps")
    void projectionKeepsTheBallAndTheBox(Step step) {
        NDArray x0 = uniform(1, new Shape(3, 3, 8, 8), 0, 1);
        NDArray far = uniform(2, new Shape(3, 3, 8, 8), -2, 3);
        for (NDArray x : new NDArray[] {step.project(far, x0), step.move(x0, uniform(3, x0.getShape(), -1, 1), x0),
                step.randomStart(x0, new SplittableRandom(4))}) {
            assertInBox(x);
            for (double d : distance(step, x, x0)) {
                assertTrue(d <= step.eps() + 1e-6, "distance " + d + " > eps " + step.eps());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("steps")
    void pixelsOutsideTheMaskAreBitIdentical(Step base) {
        Step step = base.mask(Mask.box(3, 2, 2, 4));
        NDArray x0 = uniform(5, new Shape(2, 3, 8, 8), 0, 1);
        NDArray x = step.move(step.randomStart(x0, new SplittableRandom(6)), uniform(7, x0.getShape(), -1, 1), x0);
        float[] a = x.toFloatArray();
        float[] b = x0.toFloatArray();
        int changed = 0;
        for (int i = 0; i < a.length; i++) {
            int row = (i / 8) % 8;
            int col = i % 8;
            boolean inside = row >= 2 && row < 6 && col >= 3 && col < 5;
            if (!inside) {
                assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), "pixel " + i + " outside the mask changed");
            } else if (a[i] != b[i]) {
                changed++;
            }
        }
        assertTrue(changed > 0, "nothing inside the mask moved");
    }

    @Test
    void maskGivenAsArrayMustFitTheImages() {
        NDArray x0 = uniform(5, new Shape(2, 3, 8, 8), 0, 1);
        Step step = new LinfStep(0.1f, 0.1f).mask(Mask.of(manager.ones(new Shape(1, 1, 4, 8))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.project(x0, x0));
        assertTrue(e.getMessage().contains("(1, 1, 4, 8)") && e.getMessage().contains("(2, 3, 8, 8)"), e.getMessage());
    }

    @Test
    void zeroEpsReturnsTheInputExactly() {
        NDArray x0 = uniform(8, new Shape(2, 3, 8, 8), 0, 1);
        NDArray g = uniform(9, x0.getShape(), -1, 1);
        for (Step step : new Step[] {new LinfStep(0, 0.1f), new L2Step(0, 0.1f)}) {
            assertArrayEquals(x0.toFloatArray(), step.move(step.randomStart(x0, new SplittableRandom(1)), g, x0).toFloatArray(), 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("steps")
    void randomStartIsDeterminedBySeed(Step step) {
        NDArray x0 = uniform(10, new Shape(2, 3, 8, 8), 0, 1);
        assertArrayEquals(step.randomStart(x0, new SplittableRandom(42)).toFloatArray(),
                step.randomStart(x0, new SplittableRandom(42)).toFloatArray(), 0f);
    }

    @Test
    void l2ProjectionMatchesAnIndependentComputation() {
        // x0 = 0.5 everywhere, so the [0,1] clamp is inactive for small offsets and the answer is x0 + δ·eps/‖δ‖
        NDArray x0 = manager.full(new Shape(2, 3, 4, 4), 0.5f);
        NDArray delta = uniform(11, x0.getShape(), -0.3f, 0.3f);
        float eps = 0.4f;
        float[] got = new L2Step(eps, 1f).project(x0.add(delta), x0).toFloatArray();
        float[] d = delta.toFloatArray();
        int per = d.length / 2;
        for (int s = 0; s < 2; s++) {
            double norm = 0;
            for (int i = s * per; i < (s + 1) * per; i++) {
                norm += (double) d[i] * d[i];
            }
            norm = Math.sqrt(norm);
            assertTrue(norm > eps, "test needs a perturbation outside the ball");
            for (int i = s * per; i < (s + 1) * per; i++) {
                assertEquals(0.5 + d[i] * eps / norm, got[i], 2e-6);
            }
        }
        // inside the ball nothing moves
        NDArray small = x0.add(delta.mul(0.01f));
        assertArrayEquals(small.toFloatArray(), new L2Step(eps, 1f).project(small, x0).toFloatArray(), 1e-7f);
    }

    @Test
    void l2RandomStartFillsTheBall() {
        NDArray x0 = manager.full(new Shape(64, 1, 1, 2), 0.5f);
        double[] r = distance(new L2Step(0.3f, 0.1f), new L2Step(0.3f, 0.1f).randomStart(x0, new SplittableRandom(3)), x0);
        // in 2-D the radius of a uniform point in the ball has E[r] = 2/3·eps; on the sphere it would be eps
        double mean = java.util.Arrays.stream(r).average().orElseThrow();
        assertEquals(0.2, mean, 0.04);
    }

    /**
     * The free coordinates of an N×3×H×W batch, written out by hand: {@code pixels[s]} lists the
     * free pixels (row·W + col) of sample s, or null when every pixel of s is free.
     */
    static boolean[] freeCoordinates(Shape shape, int[][] pixels) {
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int hw = (int) (shape.get(2) * shape.get(3));
        boolean[] free = new boolean[n * c * hw];
        for (int s = 0; s < n; s++) {
            for (int ch = 0; ch < c; ch++) {
                if (pixels == null || pixels[s] == null) {
                    java.util.Arrays.fill(free, (s * c + ch) * hw, (s * c + ch + 1) * hw, true);
                } else {
                    for (int p : pixels[s]) {
                        free[(s * c + ch) * hw + p] = true;
                    }
                }
            }
        }
        return free;
    }

    /** A per-sample N×1×H×W mask freeing {@code pixels[s]} in sample s. */
    static Mask perSampleMask(Shape shape, int[][] pixels) {
        int n = (int) shape.get(0);
        int hw = (int) (shape.get(2) * shape.get(3));
        boolean[] m = new boolean[n * hw];
        for (int s = 0; s < n; s++) {
            for (int p : pixels[s]) {
                m[s * hw + p] = true;
            }
        }
        return Mask.of(manager.create(m, new Shape(n, 1, shape.get(2), shape.get(3))));
    }

    /** Pixels (row·8 + col) of the 8×8 box of rows 2..5 and columns 3..4, i.e. Mask.box(3, 2, 2, 4). */
    static final int[] BOX = {19, 20, 27, 28, 35, 36, 43, 44};

    /** Two samples of 8×8: the box in both (one shared 1×1×H×W mask), or different pixels per sample. */
    static Stream<Object[]> masks() {
        int[][] perSample = {{0, 9, 63}, {5, 6, 7, 13, 14, 15, 40, 41, 42, 50, 51, 52}};
        Shape shape = new Shape(2, 3, 8, 8);
        return Stream.of(new Object[] {"none", null, null}, new Object[] {"box", Mask.box(3, 2, 2, 4), new int[][] {BOX, BOX}},
                new Object[] {"per-sample", perSampleMask(shape, perSample), perSample});
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> l2LikeStepsAndMasks() {
        return masks().flatMap(m -> Stream.of(new L2Step(10f, 0.2f), new UnconstrainedStep(0.2f))
                .map(step -> org.junit.jupiter.params.provider.Arguments.of(step.getClass().getSimpleName() + " mask " + m[0],
                        step.mask((Mask) m[1]), m[2])));
    }

    /**
     * An L2 step (ball too large to bind, x0 = 0.5 so the box does not bind either) moves each
     * sample by exactly its step size along the gradient restricted to the free pixels. Computed
     * by hand: x1 = x0 + s·g_M/‖g_M‖ with g_M the gradient zeroed outside the mask. Before the
     * mask was applied first, a masked step moved only s·‖g_M‖/‖g‖.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("l2LikeStepsAndMasks")
    void l2StepMovesByExactlyItsSizeAlongTheMaskedGradient(String label, Step step, int[][] pixels) {
        Shape shape = new Shape(2, 3, 8, 8);
        NDArray x0 = manager.full(shape, 0.5f);
        NDArray gradient = uniform(21, shape, -1, 1);
        float[] x1 = step.move(x0, gradient, x0).toFloatArray();
        float[] g = gradient.toFloatArray();
        boolean[] free = freeCoordinates(shape, pixels);
        int per = g.length / 2;
        for (int s = 0; s < 2; s++) {
            double gNorm = freeNorm(g, free, s * per, (s + 1) * per);
            double moved2 = 0;
            double dot = 0;
            for (int i = s * per; i < (s + 1) * per; i++) {
                double d = (double) x1[i] - 0.5;
                double expected = free[i] ? 0.2 * g[i] / gNorm : 0;
                assertEquals(expected, d, 1e-6, label + " coordinate " + i);
                if (!free[i]) {
                    assertEquals(Float.floatToRawIntBits(0.5f), Float.floatToRawIntBits(x1[i]), label + " protected coordinate " + i);
                }
                moved2 += d * d;
                dot += free[i] ? d * g[i] : 0;
            }
            double moved = Math.sqrt(moved2);
            assertEquals(0.2, moved, 1e-5, label + " sample " + s + " moved " + moved);
            assertEquals(1.0, dot / (moved * gNorm), 1e-6, label + " sample " + s + ": not the steepest direction");
        }
    }

    /** L∞: every free coordinate moves by exactly the step size in the gradient's sign; the others not at all. */
    @ParameterizedTest(name = "mask {0}")
    @MethodSource("masks")
    void linfStepMovesEveryFreeCoordinateByExactlyItsSize(String label, Mask mask, int[][] pixels) {
        Shape shape = new Shape(2, 3, 8, 8);
        NDArray x0 = manager.full(shape, 0.5f);
        NDArray gradient = uniform(22, shape, -1, 1);
        float s = 2 / 255f;
        float[] x1 = new LinfStep(8 / 255f, s).mask(mask).move(x0, gradient, x0).toFloatArray();
        float[] g = gradient.toFloatArray();
        boolean[] free = freeCoordinates(shape, pixels);
        for (int i = 0; i < g.length; i++) {
            double expected = free[i] ? 0.5 + Math.signum(g[i]) * (double) s : 0.5;
            assertEquals(expected, x1[i], 1e-7, label + " coordinate " + i);
        }
    }

    /**
     * Projection onto the L2 ball measures only the free coordinates: a perturbation outside the
     * ball lands at exactly x0 + δ_M·eps/‖δ_M‖ (by hand), whatever the protected coordinates held.
     */
    @ParameterizedTest(name = "mask {0}")
    @MethodSource("masks")
    void l2ProjectionRadiusIsEpsOverTheFreeCoordinates(String label, Mask mask, int[][] pixels) {
        Shape shape = new Shape(2, 3, 8, 8);
        NDArray x0 = manager.full(shape, 0.5f);
        NDArray delta = uniform(23, shape, -0.4f, 0.4f);
        float eps = 0.3f;
        float[] got = new L2Step(eps, 1f).mask(mask).project(x0.add(delta), x0).toFloatArray();
        float[] d = delta.toFloatArray();
        boolean[] free = freeCoordinates(shape, pixels);
        int per = d.length / 2;
        for (int s = 0; s < 2; s++) {
            double norm = freeNorm(d, free, s * per, (s + 1) * per);
            assertTrue(norm > eps, "test needs a perturbation outside the ball");
            double radius2 = 0;
            for (int i = s * per; i < (s + 1) * per; i++) {
                double expected = free[i] ? 0.5 + d[i] * eps / norm : 0.5;
                assertEquals(expected, got[i], 2e-6, label + " coordinate " + i);
                radius2 += ((double) got[i] - 0.5) * ((double) got[i] - 0.5);
            }
            assertEquals(eps, Math.sqrt(radius2), 1e-5, label + " sample " + s);
        }
    }

    /**
     * The L2 random start is uniform in the ball of the free coordinates: the radius R of a
     * uniform point in the d-ball has P(R ≤ r) = (r/eps)^d, so E[R] = eps·d/(d+1), with d the
     * number of free coordinates of the sample (3 channels × free pixels). Drawing in the whole
     * image's ball and masking afterwards left a hole of 1 pixel in 16 a radius near eps/4.
     */
    @Test
    void l2RandomStartIsUniformInTheBallOfTheFreeCoordinates() {
        int n = 4000;
        Shape shape = new Shape(n, 3, 4, 4);
        int[][] pixels = new int[n][];
        for (int s = 0; s < n; s++) {
            pixels[s] = s % 2 == 0 ? new int[] {5} : new int[] {0, 5, 10, 15}; // d = 3 or 12
        }
        float eps = 0.3f;
        NDArray x0 = manager.full(shape, 0.5f);
        float[] x = new L2Step(eps, 0.1f).mask(perSampleMask(shape, pixels)).randomStart(x0, new SplittableRandom(17)).toFloatArray();
        boolean[] free = freeCoordinates(shape, pixels);
        int per = x.length / n;
        double[] sum = new double[2];
        for (int s = 0; s < n; s++) {
            double r2 = 0;
            for (int i = s * per; i < (s + 1) * per; i++) {
                double d = (double) x[i] - 0.5;
                if (!free[i]) {
                    assertEquals(Float.floatToRawIntBits(0.5f), Float.floatToRawIntBits(x[i]), "protected coordinate " + i);
                }
                r2 += d * d;
            }
            double r = Math.sqrt(r2);
            assertTrue(r <= eps + 1e-6, "sample " + s + " outside the ball: " + r);
            sum[s % 2] += r;
        }
        // standard errors: 0.0043·eps (d = 3) and 0.0016·eps (d = 12) over 2000 samples each
        assertEquals(eps * 3.0 / 4.0, sum[0] / (n / 2), 0.015 * eps, "d = 3");
        assertEquals(eps * 12.0 / 13.0, sum[1] / (n / 2), 0.008 * eps, "d = 12");
    }

    @Test
    void badStepOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LinfStep(-0.1f, 0.1f)).getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LinfStep(1.5f, 0.1f)).getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new L2Step(Float.NaN, 0.1f)).getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new L2Step(1f, -1f)).getMessage().contains("step size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradientTransform.gaussianBlur(0)).getMessage().contains("sigma"));
    }

    @Test
    void gaussianBlurKeepsConstantsAndSmoothsNoise() {
        NDArray c = manager.full(new Shape(1, 3, 9, 9), 0.7f);
        assertArrayEquals(c.toFloatArray(), GradientTransform.gaussianBlur(1f).apply(c).toFloatArray(), 1e-6f);
        NDArray noise = uniform(12, new Shape(1, 3, 9, 9), -1, 1);
        NDArray blurred = GradientTransform.gaussianBlur(1f).apply(noise);
        assertEquals(noise.getShape(), blurred.getShape());
        assertTrue(blurred.square().sum().getFloat() < 0.5f * noise.square().sum().getFloat());
    }

    /** The L2 norm, in double, of v's free coordinates in [from, to) (one sample). */
    static double freeNorm(float[] v, boolean[] free, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += free[i] ? (double) v[i] * v[i] : 0;
        }
        return Math.sqrt(sum);
    }
}
