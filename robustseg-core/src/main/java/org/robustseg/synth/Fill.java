package org.robustseg.synth;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * What a hole holds before inpainting starts (the optimiser's start point and the centre of its
 * ball). Pixels outside the hole are never touched.
 */
public enum Fill {
    /** Each channel's mean over the pixels outside the hole: a flat patch in the image's average colour. */
    MEAN,
    /** Uniform noise in [0,1], drawn from the caller's seed. */
    NOISE,
    /**
     * A smooth continuation of the surroundings: the hole's pixels are repeatedly replaced by the
     * average of their four neighbours (iterated blurring, i.e. harmonic interpolation from the border).
     */
    BLUR,
    /** The image as it is (semantic editing starts from the object itself). */
    NONE;

    /** mean, noise, blur or none, case-insensitive; the error lists what is accepted. */
    public static Fill parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        for (Fill f : values()) {
            if (f.name().equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fill '" + name + "' (known: mean, noise, blur, none)");
    }

    /**
     * A copy of one image (CHW floats in [0,1], {@code hole}'s size) with the hole filled; pixels
     * outside the hole keep their exact values.
     */
    public float[] apply(float[] chw, Hole hole, RandomGenerator rng) {
        int h = hole.height();
        int w = hole.width();
        int plane = h * w;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("image of " + chw.length + " values does not match the " + w + "x" + h + " hole");
        }
        float[] out = chw.clone();
        boolean[] in = hole.pixels();
        switch (this) {
            case NONE:
                return out;
            case NOISE:
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < plane; i++) {
                        if (in[i]) {
                            out[c * plane + i] = rng.nextFloat();
                        }
                    }
                }
                return out;
            case MEAN:
            case BLUR:
                float[] mean = meanOutside(chw, in, plane);
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < plane; i++) {
                        if (in[i]) {
                            out[c * plane + i] = mean[c];
                        }
                    }
                }
                if (this == BLUR) {
                    diffuse(out, in, h, w);
                }
                return out;
            default:
                throw new AssertionError(this);
        }
    }

    private static float[] meanOutside(float[] chw, boolean[] in, int plane) {
        float[] mean = new float[3];
        int count = 0;
        double[] sum = new double[3];
        for (int i = 0; i < plane; i++) {
            if (!in[i]) {
                count++;
                for (int c = 0; c < 3; c++) {
                    sum[c] += chw[c * plane + i];
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            mean[c] = count == 0 ? 0.5f : (float) (sum[c] / count);
        }
        return mean;
    }

    /** Jacobi iterations of the 4-neighbour average inside the hole; enough sweeps to reach across it. */
    private static void diffuse(float[] img, boolean[] in, int h, int w) {
        int plane = h * w;
        int sweeps = 4 * Math.max(h, w);
        float[] next = img.clone();
        for (int s = 0; s < sweeps; s++) {
            for (int c = 0; c < 3; c++) {
                int o = c * plane;
                for (int r = 0; r < h; r++) {
                    for (int col = 0; col < w; col++) {
                        int i = r * w + col;
                        if (!in[i]) {
                            continue;
                        }
                        float sum = 0;
                        int n = 0;
                        if (r > 0) { sum += img[o + i - w]; n++; }
                        if (r < h - 1) { sum += img[o + i + w]; n++; }
                        if (col > 0) { sum += img[o + i - 1]; n++; }
                        if (col < w - 1) { sum += img[o + i + 1]; n++; }
                        next[o + i] = sum / n;
                    }
                }
            }
            System.arraycopy(next, 0, img, 0, img.length);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
