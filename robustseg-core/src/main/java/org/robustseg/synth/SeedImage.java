package org.robustseg.synth;

import java.util.Locale;
import java.util.random.RandomGenerator;

/** How generation draws its start image for a label layout. */
public enum SeedImage {
    /** Every pixel drawn independently from its layout class's colour Gaussian. */
    GAUSSIAN,
    /**
     * Per class, a coarse field of colours drawn from the class's colour Gaussian on a grid every
     * {@link #LOWRES_CELL} pixels, bilinearly upsampled; each pixel takes its layout class's field
     * (smooth, class-coloured regions, as the 8×8 seeds of Santurkar et al.).
     */
    GAUSSIAN_LOWRES,
    /** Uniform noise in [0,1], ignoring the layout and the statistics. */
    UNIFORM;

    /** Grid spacing of {@link #GAUSSIAN_LOWRES} in pixels. */
    public static final int LOWRES_CELL = 8;

    /** gaussian, gaussian-lowres or uniform; the error lists what is accepted. */
    public static SeedImage parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (SeedImage s : values()) {
            if (s.name().equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown seed image '" + name + "' (known: gaussian, gaussian-lowres, uniform)");
    }

    /**
     * A seed image CHW in [0,1] for {@code layout} (HW class ids; 255 pixels take the colour of
     * class 0).
     */
    public float[] draw(int[] layout, int height, int width, ColourStatistics stats, RandomGenerator rng) {
        int plane = height * width;
        float[] out = new float[3 * plane];
        switch (this) {
            case UNIFORM:
                for (int i = 0; i < out.length; i++) {
                    out[i] = rng.nextFloat();
                }
                return out;
            case GAUSSIAN:
                for (int p = 0; p < plane; p++) {
                    float[] v = stats.sample(classOf(layout[p], stats), rng);
                    for (int c = 0; c < 3; c++) {
                        out[c * plane + p] = v[c];
                    }
                }
                return out;
            case GAUSSIAN_LOWRES:
                int gh = (height - 1) / LOWRES_CELL + 2;
                int gw = (width - 1) / LOWRES_CELL + 2;
                float[][][] field = new float[stats.numClasses()][][];
                for (int p = 0; p < plane; p++) {
                    int k = classOf(layout[p], stats);
                    if (field[k] == null) { // drawn in order of first appearance: deterministic per layout and seed
                        field[k] = new float[gh * gw][];
                        for (int g = 0; g < gh * gw; g++) {
                            field[k][g] = stats.sample(k, rng);
                        }
                    }
                    int r = p / width;
                    int col = p % width;
                    float fy = (r + 0.5f) / LOWRES_CELL;
                    float fx = (col + 0.5f) / LOWRES_CELL;
                    int y0 = (int) fy;
                    int x0 = (int) fx;
                    float ay = fy - y0;
                    float ax = fx - x0;
                    for (int c = 0; c < 3; c++) {
                        float v00 = field[k][y0 * gw + x0][c];
                        float v01 = field[k][y0 * gw + x0 + 1][c];
                        float v10 = field[k][(y0 + 1) * gw + x0][c];
                        float v11 = field[k][(y0 + 1) * gw + x0 + 1][c];
                        out[c * plane + p] = (1 - ay) * ((1 - ax) * v00 + ax * v01) + ay * ((1 - ax) * v10 + ax * v11);
                    }
                }
                return out;
            default:
                throw new AssertionError(this);
        }
    }

    private static int classOf(int label, ColourStatistics stats) {
        return label >= 0 && label < stats.numClasses() ? label : 0;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
