package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PagMetricsTest {
    static final int H = 4;
    static final int W = 4;

    static boolean[] topLeft2x2() {
        boolean[] r = new boolean[H * W];
        r[0] = r[1] = r[4] = r[5] = true;
        return r;
    }

    static float[] constant(float v) {
        float[] a = new float[3 * H * W];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void psnrCountsOnlyTheRegion() {
        float[] a = constant(0.5f);
        float[] b = constant(0.6f);
        boolean[] region = topLeft2x2();
        for (int c = 0; c < 3; c++) { // a huge difference outside the region must not count
            b[c * H * W + 15] = 1f;
        }
        // MSE = 0.01 -> PSNR = 10·log10(1/0.01) = 20 dB
        assertEquals(20.0, PagMetrics.maskedPsnr(a, b, region), 1e-4);
        assertEquals(Double.POSITIVE_INFINITY, PagMetrics.maskedPsnr(a, a.clone(), region));
        // differences 0.1 on half the region's values and 0 on the others: MSE 0.005 -> 23.0103 dB
        float[] c = a.clone();
        for (int ch = 0; ch < 3; ch++) {
            c[ch * H * W] += 0.1f;
            c[ch * H * W + 1] += 0.1f;
        }
        assertEquals(10 * Math.log10(1 / 0.005), PagMetrics.maskedPsnr(a, c, region), 1e-3);
    }

    @Test
    void ssimOfConstantImagesIsTheLuminanceTermAndOfIdenticalImagesOne() {
        float[] a = constant(0.5f);
        float[] b = constant(0.7f);
        // no variance: SSIM = (2·0.5·0.7 + C1)(C2) / ((0.25 + 0.49 + C1)(C2)) = (0.7 + 1e-4) / (0.74 + 1e-4)
        double u = 0.5f;
        double v = 0.7f; // the float values the arrays hold
        double expected = (2 * u * v + 1e-4) / (u * u + v * v + 1e-4);
        assertEquals(expected, PagMetrics.maskedSsim(a, b, topLeft2x2(), H, W), 1e-9);
        float[] noise = new float[3 * H * W];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextDouble();
        }
        assertEquals(1.0, PagMetrics.maskedSsim(noise, noise.clone(), topLeft2x2(), H, W), 1e-9);
        float[] inverted = new float[noise.length];
        for (int i = 0; i < noise.length; i++) {
            inverted[i] = 1 - noise[i];
        }
        assertTrue(PagMetrics.maskedSsim(noise, inverted, topLeft2x2(), H, W) < 0, "an inverted image correlates negatively");
        assertEquals(PagMetrics.maskedSsim(noise, b, topLeft2x2(), H, W), PagMetrics.maskedSsim(b, noise, topLeft2x2(), H, W), 1e-12);
    }

    @Test
    void cosineIsOneAlongMinusOneAgainstZeroOrthogonal() {
        boolean[] region = topLeft2x2();
        float[] d = new float[3 * H * W];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(2);
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rng.nextGaussian();
        }
        float[] scaled = d.clone();
        float[] negative = d.clone();
        for (int i = 0; i < d.length; i++) {
            scaled[i] *= 3;
            negative[i] = -negative[i];
        }
        assertEquals(1.0, PagMetrics.maskedCosine(scaled, d, region), 1e-6);
        assertEquals(-1.0, PagMetrics.maskedCosine(negative, d, region), 1e-6);
        // (1,0) vs (0,1) inside the region; anything outside is ignored
        float[] e1 = new float[3 * H * W];
        float[] e2 = new float[3 * H * W];
        e1[0] = 1;
        e2[1] = 1;
        e1[15] = 5;
        e2[15] = 5;
        assertEquals(0.0, PagMetrics.maskedCosine(e1, e2, region), 1e-12);
        // (1,1) vs (1,0): 1/sqrt(2)
        e1[1] = 1;
        assertEquals(1 / Math.sqrt(2), PagMetrics.maskedCosine(e1, new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, region), 1e-9);
        assertTrue(Double.isNaN(PagMetrics.maskedCosine(new float[3 * H * W], d, region)));
    }

    @Test
    void hitsInRegionSkipIgnoreAndOptionallyBackground() {
        int[] target = {0, 1, 1, 255, 2, 0};
        int[] pred = {0, 1, 2, 1, 2, 1};
        boolean[] region = {true, true, true, true, true, false};
        assertArrayEquals(new long[] {3, 4}, PagMetrics.hitsInRegion(pred, target, region, -1));
        assertArrayEquals(new long[] {2, 3}, PagMetrics.hitsInRegion(pred, target, region, 0));
    }

    /** Arrays that do not fit each other or the region are refused, by every metric (PIT: removing the check survived). */
    @Test
    void mismatchedArraysAreRefusedByEveryMetric() {
        boolean[] region = topLeft2x2();
        float[] a = constant(0.5f);
        float[] shorter = Arrays.copyOf(a, a.length - 1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PagMetrics.maskedPsnr(a, shorter, region));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PagMetrics.maskedSsim(a, shorter, region, H, W));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PagMetrics.maskedCosine(a, shorter, region));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PagMetrics.maskedPsnr(a, a, new boolean[5]));
    }

    /** PSNR over every channel: only channel 2 differs, by 0.3 on the region's 4 pixels, so MSE = 4·0.09 / 12. */
    @Test
    void psnrAveragesOverAllChannels() {
        float[] a = constant(0.5f);
        float[] b = constant(0.5f);
        boolean[] region = topLeft2x2();
        for (int p = 0; p < H * W; p++) {
            b[2 * H * W + p] = 0.8f;
        }
        double mse = 4 * 0.09 / 12;
        assertEquals(10 * Math.log10(1 / mse), PagMetrics.maskedPsnr(a, b, region), 1e-4);
    }

    /** Constant images have zero variance, so SSIM reduces to its luminance term (2xy + C1) / (x² + y² + C1). */
    @Test
    void ssimOfConstantImagesIsItsLuminanceTerm() {
        double c1 = 0.01 * 0.01;
        double expected = (2 * 0.5 * 0.6 + c1) / (0.25 + 0.36 + c1);
        assertEquals(expected, PagMetrics.maskedSsim(constant(0.5f), constant(0.6f), topLeft2x2(), H, W), 1e-6);
        assertEquals(1.0, PagMetrics.maskedSsim(constant(0.3f), constant(0.3f), topLeft2x2(), H, W), 1e-9);
    }
}
