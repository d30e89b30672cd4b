package org.robustseg.data;

/**
 * Resizing of channel-major float planes (bilinear) and of label maps (nearest neighbour, so
 * that no label value is ever invented by interpolation). Both use pixel-centre alignment
 * (align_corners = false), so a 2x upsample of a pixel covers exactly a 2x2 block.
 */
public final class Resample {
    private Resample() {}

    /** Bilinear resize of {@code channels} planes of h x w to nh x nw; edges are clamped. */
    public static float[] bilinear(float[] src, int channels, int h, int w, int nh, int nw) {
        checkSize(src.length, channels, h, w, nh, nw);
        float[] dst = new float[channels * nh * nw];
        float sy = (float) h / nh;
        float sx = (float) w / nw;
        int[] x0 = new int[nw], x1 = new int[nw];
        float[] fx = new float[nw];
        for (int x = 0; x < nw; x++) {
            float srcX = Math.max(0f, (x + 0.5f) * sx - 0.5f);
            x0[x] = Math.min((int) srcX, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = srcX - x0[x];
        }
        for (int y = 0; y < nh; y++) {
            float srcY = Math.max(0f, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) srcY, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = srcY - y0;
            for (int c = 0; c < channels; c++) {
                int base = c * h * w;
                int out = c * nh * nw + y * nw;
                for (int x = 0; x < nw; x++) {
                    float top = src[base + y0 * w + x0[x]] * (1 - fx[x]) + src[base + y0 * w + x1[x]] * fx[x];
                    float bottom = src[base + y1 * w + x0[x]] * (1 - fx[x]) + src[base + y1 * w + x1[x]] * fx[x];
                    dst[out + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return dst;
    }

    /** Nearest-neighbour resize of one h x w plane of labels to nh x nw. */
    public static int[] nearest(int[] src, int h, int w, int nh, int nw) {
        checkSize(src.length, 1, h, w, nh, nw);
        int[] dst = new int[nh * nw];
        int[] xs = new int[nw];
        for (int x = 0; x < nw; x++) {
            xs[x] = Math.min((int) ((x + 0.5) * w / nw), w - 1);
        }
        for (int y = 0; y < nh; y++) {
            int sy = Math.min((int) ((y + 0.5) * h / nh), h - 1);
            for (int x = 0; x < nw; x++) {
                dst[y * nw + x] = src[sy * w + xs[x]];
            }
        }
        return dst;
    }

    private static void checkSize(int length, int channels, int h, int w, int nh, int nw) {
        if (length != channels * h * w) {
            throw new IllegalArgumentException("array has " + length + " values, expected " + channels + "x" + h + "x" + w);
        }
        if (nh <= 0 || nw <= 0) {
            throw new IllegalArgumentException("target size " + nh + "x" + nw + " must be positive");
        }
    }
}
