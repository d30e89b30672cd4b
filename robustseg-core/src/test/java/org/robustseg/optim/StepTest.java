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
        Step step = base.mask(Mask.box(2, 3, 4, 2));
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
}
