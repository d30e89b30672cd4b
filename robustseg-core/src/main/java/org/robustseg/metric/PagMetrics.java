package org.robustseg.metric;

/**
 * The figures behind perceptually-aligned-gradient (PAG) claims, on plain arrays: masked PSNR and
 * SSIM of a synthesised region against the hidden original, the cosine between a gradient and a
 * direction inside a region, and pixel accuracy inside a region. Images are CHW floats in [0,1],
 * regions and label maps row-major H×W.
 */
public final class PagMetrics {
    private PagMetrics() {}

    /** SSIM constants for a dynamic range of 1 (Wang et al. 2004): C1 = (0.01)², C2 = (0.03)². */
    public static final double C1 = 1e-4;
    public static final double C2 = 9e-4;
    /** Standard deviation of SSIM's Gaussian window in pixels (radius 5: an 11×11 window). */
    public static final double SSIM_SIGMA = 1.5;
    static final int SSIM_RADIUS = 5;

    /**
     * PSNR in dB of {@code a} against {@code b} over the region's pixels (all channels): 10·log10(1/MSE).
     * Infinite for identical regions, NaN for an empty region.
     */
    public static double maskedPsnr(float[] a, float[] b, boolean[] region) {
        check(a, b, region);
        int plane = region.length;
        double se = 0;
        long n = 0;
        for (int c = 0; c < a.length / plane; c++) {
            for (int p = 0; p < plane; p++) {
                if (region[p]) {
                    double d = a[c * plane + p] - b[c * plane + p];
                    se += d * d;
                    n++;
                }
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        double mse = se / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
    }

    /**
     * SSIM of {@code a} against {@code b} (Wang et al. 2004: Gaussian window σ = 1.5, 11×11,
     * C1 = 0.01², C2 = 0.03², range 1) computed on the whole images per channel, then its map
     * averaged over channels and over the region's pixels. Near the image border the window is
     * renormalised to the pixels inside the image. NaN for an empty region.
     */
    public static double maskedSsim(float[] a, float[] b, boolean[] region, int height, int width) {
        check(a, b, region);
        if (region.length != height * width) {
            throw new IllegalArgumentException("region of " + region.length + " pixels does not match " + height + "x" + width);
        }
        int plane = height * width;
        int channels = a.length / plane;
        double[] kernel = new double[2 * SSIM_RADIUS + 1];
        for (int i = -SSIM_RADIUS; i <= SSIM_RADIUS; i++) {
            kernel[i + SSIM_RADIUS] = Math.exp(-(i * i) / (2 * SSIM_SIGMA * SSIM_SIGMA));
        }
        double[] ones = new double[plane];
        java.util.Arrays.fill(ones, 1);
        double[] norm = blur(ones, height, width, kernel);
        double total = 0;
        long n = 0;
        double[] map = new double[plane];
        for (int c = 0; c < channels; c++) {
            double[] x = new double[plane];
            double[] y = new double[plane];
            double[] xx = new double[plane];
            double[] yy = new double[plane];
            double[] xy = new double[plane];
            for (int p = 0; p < plane; p++) {
                x[p] = a[c * plane + p];
                y[p] = b[c * plane + p];
                xx[p] = x[p] * x[p];
                yy[p] = y[p] * y[p];
                xy[p] = x[p] * y[p];
            }
            double[] mx = blur(x, height, width, kernel);
            double[] my = blur(y, height, width, kernel);
            double[] sxx = blur(xx, height, width, kernel);
            double[] syy = blur(yy, height, width, kernel);
            double[] sxy = blur(xy, height, width, kernel);
            for (int p = 0; p < plane; p++) {
                double ux = mx[p] / norm[p];
                double uy = my[p] / norm[p];
                double vx = sxx[p] / norm[p] - ux * ux;
                double vy = syy[p] / norm[p] - uy * uy;
                double cxy = sxy[p] / norm[p] - ux * uy;
                map[p] += (2 * ux * uy + C1) * (2 * cxy + C2) / ((ux * ux + uy * uy + C1) * (vx + vy + C2)) / channels;
            }
        }
        for (int p = 0; p < plane; p++) {
            if (region[p]) {
                total += map[p];
                n++;
            }
        }
        return n == 0 ? Double.NaN : total / n;
    }

    /** Separable, unnormalised window sum (zero outside the image). */
    private static double[] blur(double[] v, int h, int w, double[] k) {
        int r = k.length / 2;
        double[] rows = new double[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    int xx = x + d;
                    if (xx >= 0 && xx < w) {
                        s += k[d + r] * v[y * w + xx];
                    }
                }
                rows[y * w + x] = s;
            }
        }
        double[] out = new double[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    int yy = y + d;
                    if (yy >= 0 && yy < h) {
                        s += k[d + r] * rows[yy * w + x];
                    }
                }
                out[y * w + x] = s;
            }
        }
        return out;
    }

    /**
     * Cosine between {@code g} and {@code d} restricted to the region (all channels): 1 when g
     * points along d, −1 when against it, 0 when orthogonal; NaN when either is zero there.
     */
    public static double maskedCosine(float[] g, float[] d, boolean[] region) {
        check(g, d, region);
        int plane = region.length;
        double dot = 0;
        double gg = 0;
        double dd = 0;
        for (int c = 0; c < g.length / plane; c++) {
            for (int p = 0; p < plane; p++) {
                if (region[p]) {
                    double a = g[c * plane + p];
                    double b = d[c * plane + p];
                    dot += a * b;
                    gg += a * a;
                    dd += b * b;
                }
            }
        }
        return gg == 0 || dd == 0 ? Double.NaN : dot / Math.sqrt(gg * dd);
    }

    /**
     * Pixel accuracy of {@code predicted} against {@code target} inside the region, skipping
     * ignore (255) targets and, if {@code background} ≥ 0, pixels whose target is that class
     * (the "object pixels" figure). Returns {hits, counted} so callers can pool over images.
     */
    public static long[] hitsInRegion(int[] predicted, int[] target, boolean[] region, int background) {
        if (predicted.length != target.length || target.length != region.length) {
            throw new IllegalArgumentException("prediction, target and region sizes differ: " + predicted.length + ", "
                    + target.length + ", " + region.length);
        }
        long hits = 0;
        long n = 0;
        for (int p = 0; p < region.length; p++) {
            int t = target[p];
            if (region[p] && t != 255 && t != background) {
                n++;
                hits += predicted[p] == t ? 1 : 0;
            }
        }
        return new long[] {hits, n};
    }

    private static void check(float[] a, float[] b, boolean[] region) {
        if (a.length != b.length || region.length == 0 || a.length % region.length != 0) {
            throw new IllegalArgumentException("arrays of " + a.length + " and " + b.length + " values do not fit a region of "
                    + region.length + " pixels");
        }
    }
}
