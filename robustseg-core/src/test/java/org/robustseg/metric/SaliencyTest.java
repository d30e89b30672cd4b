package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.PixelwiseNet;
import org.robustseg.optim.TinySegNet;

class SaliencyTest {
    /** Class 0 reads red (weight 3), class 1 green (1), class 2 blue (2); no bias. */
    static final float[][] W = {{3, 0, 0}, {0, 1, 0}, {0, 0, 2}};
    static final int H = 4;
    static final int WIDTH = 6;

    static SegmentationModel pixelwiseModel() {
        SegmentationModel model = PixelwiseNet.create(3, 0);
        for (Parameter p : model.block().getParameters().values()) {
            if (p.getType() == Parameter.Type.WEIGHT) {
                p.getArray().set(new float[] {3, 0, 0, 0, 1, 0, 0, 0, 2});
            } else if (p.getType() == Parameter.Type.BIAS) {
                p.getArray().set(new float[3]);
            }
        }
        return model;
    }

    /**
     * Image 0: left half reddish (predicted class 0), right half greenish (class 1). Image 1: all
     * reddish, so class 1 is absent there. Blue never wins.
     */
    static float[] images() {
        int plane = H * WIDTH;
        float[] x = new float[2 * 3 * plane];
        for (int i = 0; i < 2; i++) {
            for (int y = 0; y < H; y++) {
                for (int c = 0; c < WIDTH; c++) {
                    boolean green = i == 0 && c >= WIDTH / 2;
                    float[] rgb = green ? new float[] {0.1f, 0.8f, 0.1f} : new float[] {0.9f, 0.2f, 0.1f};
                    for (int k = 0; k < 3; k++) {
                        x[(i * 3 + k) * plane + y * WIDTH + c] = rgb[k] + 0.01f * (y + c); // not all pixels equal
                    }
                }
            }
        }
        return x;
    }

    static double norm(double... v) {
        return Math.sqrt(Arrays.stream(v).map(a -> a * a).sum());
    }

    /**
     * For z_p = W·x_p each pixel's gradient is a row of W: the class-1 map is ‖W_1‖ = 1 exactly on
     * the pixels predicted as 1 and 0 everywhere else; the whole map is ‖W_ŷ‖ (3 or 1); an image
     * without the class falls back to all pixels.
     */
    @Test
    void pixelwiseModelGivesTheClassWeightNormExactlyWhereTheScoreIsSummed() {
        try (SegmentationModel model = pixelwiseModel(); NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(images(), new Shape(2, 3, H, WIDTH));
            int plane = H * WIDTH;
            Saliency.Maps cls1 = Saliency.compute(model, x, 1, Saliency.Score.LOGIT);
            Saliency.Maps whole = Saliency.compute(model, x, Saliency.WHOLE_MAP, Saliency.Score.LOGIT);
            Saliency.Maps absent = Saliency.compute(model, x, 2, Saliency.Score.LOGIT);
            for (int p = 0; p < plane; p++) {
                boolean right = p % WIDTH >= WIDTH / 2;
                assertEquals(right ? 1 : 0, whole.prediction()[p], "prediction at " + p);
                assertEquals(right ? 1f : 0f, cls1.map(0)[p], 1e-6f, "class-1 map, image 0, pixel " + p);
                assertEquals(right ? 1f : 3f, whole.map(0)[p], 1e-6f, "whole map, image 0, pixel " + p);
                assertEquals(3f, whole.map(1)[p], 1e-6f, "whole map, image 1, pixel " + p);
                assertEquals(1f, cls1.map(1)[p], 1e-6f, "class 1 absent from image 1: all pixels count");
                assertEquals(2f, absent.map(0)[p], 1e-6f, "class 2 absent everywhere: ‖W_2‖ = 2");
            }
            assertArrayEquals(new boolean[] {false, true}, cls1.classAbsent());
            assertArrayEquals(new boolean[] {true, true}, absent.classAbsent());
            assertArrayEquals(new boolean[] {false, false}, whole.classAbsent());
        }
    }

    /** log softmax: ∇_p = W_1 − Σ_k softmax(z_p)_k W_k on the pixels predicted as 1, zero elsewhere. */
    @Test
    void logSoftmaxScoreMatchesItsClosedForm() {
        try (SegmentationModel model = pixelwiseModel(); NDManager m = model.manager().newSubManager()) {
            float[] xs = images();
            Saliency.Maps maps = Saliency.compute(model, m.create(xs, new Shape(2, 3, H, WIDTH)), 1, Saliency.Score.LOG_SOFTMAX);
            int plane = H * WIDTH;
            for (int p = 0; p < plane; p++) {
                double expected = 0;
                if (p % WIDTH >= WIDTH / 2) {
                    double[] z = new double[3];
                    double sum = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int k = 0; k < 3; k++) {
                            z[c] += W[c][k] * xs[k * plane + p];
                        }
                        sum += Math.exp(z[c]);
                    }
                    double[] g = new double[3];
                    for (int k = 0; k < 3; k++) {
                        g[k] = W[1][k];
                        for (int c = 0; c < 3; c++) {
                            g[k] -= Math.exp(z[c]) / sum * W[c][k];
                        }
                    }
                    expected = norm(g);
                    assertTrue(Math.abs(expected - 1) > 0.05, "differs from the logit map (1): " + expected);
                }
                assertEquals(expected, maps.map(0)[p], 1e-5, "pixel " + p);
            }
        }
    }

    /** On a nonlinear net with BatchNorm, in float64: the map equals central finite differences of the summed score. */
    @Test
    void mapsMatchFiniteDifferencesOnASmallConvNet() {
        int s = TinySegNet.SIZE;
        int plane = s * s;
        double step = 1e-6;
        try (SegmentationModel model = TinySegNet.untrained(3); NDManager m = model.manager().newSubManager()) {
            model.cast(DataType.FLOAT64);
            SplittableRandom rng = new SplittableRandom(5);
            double[] x0 = new double[3 * plane];
            for (int i = 0; i < x0.length; i++) {
                x0[i] = rng.nextDouble();
            }
            Shape shape = new Shape(1, 3, s, s);
            Saliency.Maps whole = Saliency.compute(model, m.create(x0, shape), Saliency.WHOLE_MAP, Saliency.Score.LOGIT);
            int[] predicted = whole.prediction(0);
            int cls = predicted[plane / 2 + s / 2];
            Saliency.Maps ofClass = Saliency.compute(model, m.create(x0, shape), cls, Saliency.Score.LOGIT);
            for (int k = 0; k < 6; k++) {
                int p = rng.nextInt(plane);
                double[] gWhole = new double[3];
                double[] gClass = new double[3];
                for (int c = 0; c < 3; c++) {
                    double[] plus = x0.clone();
                    double[] minus = x0.clone();
                    plus[c * plane + p] += step;
                    minus[c * plane + p] -= step;
                    double[] up = scores(model, m, plus, shape, predicted, cls);
                    double[] down = scores(model, m, minus, shape, predicted, cls);
                    gWhole[c] = (up[0] - down[0]) / (2 * step);
                    gClass[c] = (up[1] - down[1]) / (2 * step);
                }
                assertEquals(norm(gWhole), whole.map(0)[p], 1e-5 * Math.max(1, norm(gWhole)), "whole map at pixel " + p);
                assertEquals(norm(gClass), ofClass.map(0)[p], 1e-5 * Math.max(1, norm(gClass)), "class " + cls + " map at pixel " + p);
            }
        }
    }

    /** {Σ_p z_{ŷ_p}(p), Σ_{p: ŷ_p = cls} z_cls(p)} at x, with the prediction ŷ held fixed. */
    private static double[] scores(SegmentationModel model, NDManager parent, double[] x, Shape shape, int[] predicted, int cls) {
        try (NDManager m = parent.newSubManager()) {
            double[] z = model.logits(m.create(x, shape)).toDoubleArray();
            int plane = predicted.length;
            double whole = 0;
            double ofClass = 0;
            for (int p = 0; p < plane; p++) {
                whole += z[predicted[p] * plane + p];
                ofClass += predicted[p] == cls ? z[cls * plane + p] : 0;
            }
            return new double[] {whole, ofClass};
        }
    }

    @Test
    void unknownClassIsRefused() {
        try (SegmentationModel model = pixelwiseModel(); NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(images(), new Shape(2, 3, H, WIDTH));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Saliency.compute(model, x, 3, Saliency.Score.LOGIT));
            assertTrue(e.getMessage().contains("class 3"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Saliency.Score.parse("softmax"));
    }

    /** 10×10 labels: a 4×4 object of class 5 at rows and columns 3..6, background elsewhere. */
    static int[] square() {
        int[] labels = new int[100];
        for (int y = 3; y <= 6; y++) {
            for (int x = 3; x <= 6; x++) {
                labels[y * 10 + x] = 5;
            }
        }
        return labels;
    }

    @Test
    void concentrationIsOneForAUniformMapAndTheInverseAreaShareForAMapOnObjectsOnly() {
        int[] labels = square();
        float[] uniform = new float[100];
        Arrays.fill(uniform, 0.3f);
        Saliency.Alignment u = Saliency.alignment(uniform, labels, 10, 10, Saliency.WHOLE_MAP);
        assertEquals(0.16, u.objectAreaShare(), 1e-12);
        assertEquals(0.16, u.objectEnergyShare(), 1e-9);
        assertEquals(1.0, u.objectConcentration(), 1e-9);
        assertEquals(1.0, u.outlineConcentration(), 1e-9);

        float[] onObject = new float[100];
        float[] offObject = new float[100];
        for (int p = 0; p < 100; p++) {
            onObject[p] = labels[p] == 5 ? 1f + p % 3 : 0f; // uneven inside: only the location matters
            offObject[p] = labels[p] == 5 ? 0f : 2f;
        }
        Saliency.Alignment on = Saliency.alignment(onObject, labels, 10, 10, Saliency.WHOLE_MAP);
        assertEquals(1.0, on.objectEnergyShare(), 1e-12);
        assertEquals(1 / 0.16, on.objectConcentration(), 1e-9);
        assertEquals(0.0, Saliency.alignment(offObject, labels, 10, 10, Saliency.WHOLE_MAP).objectConcentration(), 1e-12);

        // the whole object is within 2 px of its border, and so are the 48 background pixels around it
        assertEquals(0.64, on.outlineAreaShare(), 1e-12);
        assertEquals(1.0, on.outlineEnergyShare(), 1e-12);
        assertEquals(1 / 0.64, on.outlineConcentration(), 1e-9);
    }

    @Test
    void energyIsTheSquaredMagnitude() {
        int[] labels = square();
        float[] map = new float[100];
        Arrays.fill(map, 1f);
        for (int p = 0; p < 100; p++) {
            if (labels[p] == 5) {
                map[p] = 2f; // energy 4 on 16 pixels = 64, 1 on 84 others
            }
        }
        Saliency.Alignment a = Saliency.alignment(map, labels, 10, 10, Saliency.WHOLE_MAP);
        assertEquals(64.0 / (64 + 84), a.objectEnergyShare(), 1e-9);
        assertEquals(64.0 / 148 / 0.16, a.objectConcentration(), 1e-9);
    }

    @Test
    void ignorePixelsCountNowhereAndAClassMapIsMeasuredOnItsOwnClass() {
        int[] labels = square();
        labels[0] = 7; // a one-pixel object of another class, far from the square
        float[] map = new float[100];
        Arrays.fill(map, 1f);
        for (int x = 0; x < 10; x++) {
            labels[90 + x] = 255; // last row ignored, with a huge map value
            map[90 + x] = 1000f;
        }
        Saliency.Alignment all = Saliency.alignment(map, labels, 10, 10, Saliency.WHOLE_MAP);
        assertEquals(17.0 / 90, all.objectAreaShare(), 1e-12);
        assertEquals(1.0, all.objectConcentration(), 1e-9);
        Saliency.Alignment five = Saliency.alignment(map, labels, 10, 10, 5);
        assertEquals(16.0 / 90, five.objectAreaShare(), 1e-12);
        Saliency.Alignment missing = Saliency.alignment(map, labels, 10, 10, 3);
        assertTrue(Double.isNaN(missing.objectConcentration()), "no pixel of class 3: undefined");
        assertTrue(Double.isNaN(missing.objectEnergyShare()), "no pixel of class 3: no share either");
        assertTrue(Double.isNaN(missing.outlineConcentration()), "no outline of class 3: undefined");
        assertTrue(Double.isNaN(Saliency.alignment(new float[100], labels, 10, 10, 5).objectConcentration()), "no energy");
    }

    @Test
    void outlineBandIsEveryPixelWithinTheRadiusOfALabelChange() {
        boolean[] band = Saliency.outline(square(), 10, 10, 1);
        int count = 0;
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                boolean expected = y >= 2 && y <= 7 && x >= 2 && x <= 7 && !(y >= 4 && y <= 5 && x >= 4 && x <= 5);
                assertEquals(expected, band[y * 10 + x], "pixel " + y + "," + x);
                count += band[y * 10 + x] ? 1 : 0;
            }
        }
        assertEquals(32, count);
        assertFalse(contains(Saliency.outline(new int[25], 5, 5, 2)), "no label change, no outline");
    }

    private static boolean contains(boolean[] a) {
        for (boolean b : a) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    @Test
    void displayScalingSaturatesAtThePercentile() {
        float[] ramp = new float[100];
        for (int i = 0; i < 100; i++) {
            ramp[i] = i;
        }
        assertEquals(98.0, Saliency.percentile(ramp, 99), 0);
        assertEquals(49.0, Saliency.percentile(ramp, 50), 0);
        float[] d = Saliency.forDisplay(ramp, 99);
        assertEquals(0.5f, d[49], 1e-6f);
        assertEquals(1f, d[98], 0f);
        assertEquals(1f, d[99], 0f);
        float[] spike = new float[100];
        spike[7] = 5f; // the 99th percentile is 0: the maximum takes its place
        assertEquals(1f, Saliency.forDisplay(spike, 99)[7], 0f);
        assertArrayEquals(new float[4], Saliency.forDisplay(new float[4], 99), 0f);
        assertThrows(IllegalArgumentException.class, () -> Saliency.percentile(ramp, 0));
    }

    @Test
    void summaryTakesMeanAndMedianOverImagesWithAFigure() {
        double nan = Double.NaN;
        Saliency.Summary s = Saliency.summarise(List.of(
                new Saliency.Alignment(0.5, 0.25, 2.0, 0.4, 0.4, 1.0),
                new Saliency.Alignment(0.2, 0.2, 1.0, 0.3, 0.1, 3.0),
                new Saliency.Alignment(0.9, 0.1, 9.0, 0.5, 0.25, 2.0),
                new Saliency.Alignment(nan, nan, nan, nan, nan, nan)));
        assertEquals(3, s.images());
        assertEquals(4.0, s.objectConcentrationMean(), 1e-12);
        assertEquals(2.0, s.objectConcentrationMedian(), 1e-12);
        assertEquals(2.0, s.outlineConcentrationMean(), 1e-12);
        assertEquals(2.0, s.outlineConcentrationMedian(), 1e-12);
    }
}
