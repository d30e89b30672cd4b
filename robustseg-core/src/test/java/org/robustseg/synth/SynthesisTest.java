package org.robustseg.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.ProgressListener;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.TinySegNet;

/** Synthesis presets on the tiny test net: what may change, that the loss falls, determinism, bad input. */
class SynthesisTest {
    static SegmentationModel model;
    static NDManager manager;
    static NDArray images;
    static NDArray labels;
    static final int S = TinySegNet.SIZE;
    static final int N = 4;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        model = TinySegNet.trained(5, 60);
        manager = NDManager.newBaseManager("PyTorch");
        NDList d = TinySegNet.scenes(manager, N, 77);
        images = d.get(0);
        labels = d.get(1).toType(DataType.INT64, false);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    static List<Hole> holes() {
        return List.of(Hole.box(4, 4, 6, 6, S, S), Hole.box(2, 8, 5, 5, S, S), Hole.box(6, 3, 6, 4, S, S), Hole.box(0, 0, 8, 8, S, S));
    }

    /** A target that asks for class 2 (bluish disc) in every hole, the true labels elsewhere. */
    static NDArray target() {
        int[] t = labels.toType(DataType.INT32, false).toIntArray();
        List<Hole> holes = holes();
        for (int i = 0; i < N; i++) {
            boolean[] in = holes.get(i).pixels();
            for (int p = 0; p < S * S; p++) {
                if (in[p]) {
                    t[i * S * S + p] = 2;
                }
            }
        }
        return manager.create(t, new Shape(N, S, S)).toType(DataType.INT64, false);
    }

    /**
     * The MEAN fill computed here, independently of {@link Fill}: each channel's average over the
     * pixels outside image i's hole, written into the hole (double sums, then rounded to float).
     */
    static float[] meanFilled(float[] x, List<Hole> holes) {
        float[] out = x.clone();
        for (int i = 0; i < holes.size(); i++) {
            boolean[] in = holes.get(i).pixels();
            for (int c = 0; c < 3; c++) {
                int o = i * 3 * S * S + c * S * S;
                double sum = 0;
                int count = 0;
                for (int p = 0; p < S * S; p++) {
                    if (!in[p]) {
                        sum += x[o + p];
                        count++;
                    }
                }
                for (int p = 0; p < S * S; p++) {
                    if (in[p]) {
                        out[o + p] = (float) (sum / count);
                    }
                }
            }
        }
        return out;
    }

    static Inpainting inpaint() {
        return Synthesis.inpainting().stepSize(0.5f).steps(15).eps(4f);
    }

    @Test
    void inpaintingChangesOnlyHolePixelsAndLowersTheLoss() {
        float[] x = images.toFloatArray();
        for (Fill fill : List.of(Fill.MEAN, Fill.NOISE, Fill.BLUR)) {
            SynthesisResult r = inpaint().fill(fill).run(model, images, holes(), target());
            int changedInside = 0;
            for (int i = 0; i < N; i++) {
                boolean[] in = holes().get(i).pixels();
                float[] out = r.image(i);
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < S * S; p++) {
                        int k = c * S * S + p;
                        if (!in[p]) {
                            assertEquals(Float.floatToIntBits(x[i * 3 * S * S + k]), Float.floatToIntBits(out[k]),
                                    fill + ": pixel outside the hole changed, image " + i + " index " + k);
                        } else if (out[k] != x[i * 3 * S * S + k]) {
                            changedInside++;
                        }
                    }
                }
                assertTrue(r.lossAfter()[i] < r.lossBefore()[i] * 0.8f, fill + " image " + i + ": CE " + r.lossBefore()[i] + " -> " + r.lossAfter()[i]);
            }
            assertTrue(changedInside > 0);
            float[] mean = r.trace().meanLoss();
            assertTrue(mean[mean.length - 1] < mean[0], Arrays.toString(mean));
        }
    }

    @Test
    void inpaintingStaysInTheL2BallAroundTheFilledImage() {
        SynthesisResult r = inpaint().eps(0.5f).run(model, images, holes(), target());
        // The ball's centre is the MEAN-filled image, computed here rather than read back from the result.
        float[] centre = meanFilled(images.toFloatArray(), holes());
        for (int i = 0; i < N; i++) {
            float[] a = r.image(i);
            float[] b = Arrays.copyOfRange(centre, i * 3 * S * S, (i + 1) * 3 * S * S);
            assertArrayEquals(b, r.startImage(i), 1e-6f, "image " + i + ": the start is the mean-filled image");
            double d = 0;
            for (int k = 0; k < a.length; k++) {
                d += (a[k] - b[k]) * (a[k] - b[k]);
            }
            assertTrue(Math.sqrt(d) <= 0.5 + 1e-5, "image " + i + ": ||x - filled|| = " + Math.sqrt(d));
        }
    }

    @Test
    void resultsAreDeterministicPerSeed() {
        Inpainting noisy = inpaint().fill(Fill.NOISE).steps(3);
        float[] a = noisy.seed(1).run(model, images, holes(), target()).images();
        float[] b = noisy.seed(1).run(model, images, holes(), target()).images();
        float[] c = noisy.seed(2).run(model, images, holes(), target()).images();
        assertArrayEquals(a, b, 0f);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void defaultTargetIsThePredictionOutsideAndTheClassInside() {
        Inpainting p = inpaint();
        int[] t = p.targetFromPrediction(model, images, holes(), 1, 0);
        float[] filled = meanFilled(images.toFloatArray(), holes()); // the default fill, computed independently
        int[] pred = model.logits(manager.create(filled, new Shape(N, 3, S, S))).argMax(1).toType(DataType.INT32, false).toIntArray();
        for (int i = 0; i < N; i++) {
            boolean[] in = holes().get(i).pixels();
            for (int q = 0; q < S * S; q++) {
                assertEquals(in[q] ? 1 : pred[i * S * S + q], t[i * S * S + q]);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.targetFromPrediction(model, images, holes(), 3, 0));
        assertTrue(e.getMessage().contains("class 3"), e.getMessage());
    }

    @Test
    void badInpaintingInputIsRefusedWithAClearMessage() {
        List<Hole> wrongSize = List.of(Hole.box(0, 0, 2, 2, S + 1, S), holes().get(1), holes().get(2), holes().get(3));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> inpaint().run(model, images, wrongSize, target()));
        assertTrue(size.getMessage().contains("mask is 16x17"), size.getMessage());
        List<Hole> empty = List.of(new Hole(S, S, new boolean[S * S]), holes().get(1), holes().get(2), holes().get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inpaint().run(model, images, empty, target()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        NDArray bad = target().duplicate();
        bad.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0"), 7);
        IllegalArgumentException cls = assertThrows(IllegalArgumentException.class, () -> inpaint().run(model, images, holes(), bad));
        assertTrue(cls.getMessage().contains("class id 7"), cls.getMessage());
    }

    /** A data set of flat-coloured images: class 0 pixels colour bg, class 1 pixels colour fg, plus known noise. */
    static SegDataset flat(int n, long seed) {
        ClassSet classes = new ClassSet(List.of("background", "disc", "other"), new int[] {0, 0xFF0000, 0x00FF00});
        return new SegDataset() {
            @Override
            public String name() {
                return "flat";
            }

            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                SplittableRandom rng = new SplittableRandom(seed + index);
                float[] img = new float[3 * S * S];
                int[] lab = new int[S * S];
                for (int p = 0; p < S * S; p++) {
                    lab[p] = p % S < S / 2 ? 0 : 1;
                    float[] base = lab[p] == 0 ? new float[] {0.2f, 0.3f, 0.4f} : new float[] {0.8f, 0.5f, 0.3f};
                    for (int c = 0; c < 3; c++) {
                        img[c * S * S + p] = base[c] + (float) (0.05 * rng.nextGaussian());
                    }
                }
                return new SegSample("f" + index, S, S, img, lab);
            }

            @Override
            public ClassSet classes() {
                return classes;
            }

            @Override
            public String contentHash() {
                return "flat-" + seed;
            }
        };
    }

    /**
     * Class {@code cls}'s mean colour (row 0) and unbiased colour covariance (rows 1..3) over the
     * pixels of {@code data}, by the textbook two-pass formula (mean first, then centred products),
     * independently of {@link ColourStatistics#fit}'s one-pass sums.
     */
    static double[][] referenceColourStatistics(SegDataset data, int cls) {
        double[] mean = new double[3];
        long n = 0;
        for (int i = 0; i < data.size(); i++) {
            SegSample s = data.get(i);
            for (int p = 0; p < S * S; p++) {
                if (s.labels()[p] == cls) {
                    n++;
                    for (int c = 0; c < 3; c++) {
                        mean[c] += s.image()[c * S * S + p];
                    }
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            mean[c] /= n;
        }
        double[][] out = new double[4][3];
        out[0] = mean;
        for (int i = 0; i < data.size(); i++) {
            SegSample s = data.get(i);
            for (int p = 0; p < S * S; p++) {
                if (s.labels()[p] == cls) {
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            out[1 + a][b] += (s.image()[a * S * S + p] - mean[a]) * (s.image()[b * S * S + p] - mean[b]) / (n - 1);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void colourStatisticsAreFittedAndSeedsFollowThem() {
        SegDataset data = flat(20, 3);
        ColourStatistics stats = ColourStatistics.fit(data, ProgressListener.NONE);
        for (int cls = 0; cls < 2; cls++) {
            double[][] ref = referenceColourStatistics(data, cls);
            for (int a = 0; a < 3; a++) {
                assertEquals(ref[0][a], stats.mean()[cls][a], 1e-9, "mean, class " + cls + " channel " + a);
                for (int b = 0; b < 3; b++) {
                    assertEquals(ref[1 + a][b], stats.covariance()[cls][a][b], 1e-9, "covariance, class " + cls + " [" + a + "][" + b + "]");
                }
            }
            assertEquals(20L * S * S / 2, stats.pixels()[cls], "pixels of class " + cls);
        }
        // ... and the reference itself is near the generating colours (noise sd 0.05, 5120 pixels a class)
        assertEquals(0.2, stats.mean()[0][0], 0.005);
        assertEquals(0.5, stats.mean()[1][1], 0.005);
        assertEquals(0.0025, stats.covariance()[1][2][2], 0.0003); // variance 0.05²
        assertEquals(0.0, stats.covariance()[1][0][1], 0.0003);
        assertEquals(0, stats.pixels()[2]);
        assertEquals(ColourStatistics.UNSEEN_MEAN, stats.mean()[2][0], 0);
        assertEquals(ColourStatistics.UNSEEN_VARIANCE, stats.covariance()[2][1][1], 0);
        assertEquals(0.0, stats.covariance()[2][0][1], 0);
        // round trip through JSON
        Path file = tmp.resolve("stats.json");
        stats.write(file, null);
        ColourStatistics back = ColourStatistics.read(file);
        assertEquals(stats.mean()[1][0], back.mean()[1][0], 0);
        assertEquals(stats.covariance()[0][1][1], back.covariance()[0][1][1], 0);
        // GAUSSIAN seeds for a layout of class 1 only: pixel mean and variance match the fitted ones
        int[] layout = new int[S * S];
        Arrays.fill(layout, 1);
        double[] sum = new double[3];
        double sq = 0;
        int count = 0;
        SplittableRandom rng = new SplittableRandom(9);
        for (int rep = 0; rep < 20; rep++) {
            float[] seed = SeedImage.GAUSSIAN.draw(layout, S, S, stats, rng);
            for (int p = 0; p < S * S; p++) {
                for (int c = 0; c < 3; c++) {
                    sum[c] += seed[c * S * S + p];
                }
                double d = seed[2 * S * S + p] - stats.mean()[1][2];
                sq += d * d;
                count++;
            }
        }
        double[][] ref1 = referenceColourStatistics(data, 1);
        assertEquals(ref1[0][0], sum[0] / count, 0.003);
        assertEquals(ref1[0][1], sum[1] / count, 0.003);
        assertEquals(ref1[3][2], sq / count, 0.0003);
        // GAUSSIAN_LOWRES seeds are smooth: neighbouring pixels differ far less than independent draws
        float[] low = SeedImage.GAUSSIAN_LOWRES.draw(layout, S, S, stats, new SplittableRandom(1));
        double step = 0;
        for (int p = 0; p < S * S - 1; p++) {
            step += Math.abs(low[p + 1] - low[p]);
        }
        assertTrue(step / (S * S - 1) < 0.02, "mean neighbour difference " + step / (S * S - 1));
        assertThrows(IllegalArgumentException.class, () -> SeedImage.parse("perlin"));
    }

    @Test
    void generationLowersTheLossDeterministicallyAndChecksTheLayout() {
        ColourStatistics stats = ColourStatistics.fit(flat(8, 3), ProgressListener.NONE);
        Generation gen = Synthesis.generation(stats).steps(10).stepSize(0.5f).seed(4);
        SynthesisResult a = gen.run(model, labels);
        SynthesisResult b = gen.run(model, labels);
        assertArrayEquals(a.images(), b.images(), 0f);
        assertArrayEquals(a.start(), b.start(), 0f);
        for (int i = 0; i < N; i++) {
            assertTrue(a.lossAfter()[i] < a.lossBefore()[i], "image " + i + ": " + a.lossBefore()[i] + " -> " + a.lossAfter()[i]);
        }
        assertFalse(Arrays.equals(a.start(), gen.seed(5).run(model, labels).start()));
        NDArray bad = labels.duplicate();
        bad.set(new ai.djl.ndarray.index.NDIndex("1, 2, 3"), 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gen.run(model, bad));
        assertTrue(e.getMessage().contains("layout has class id 9"), e.getMessage());
        ColourStatistics other = new ColourStatistics(List.of("a", "b"), new double[2][3], new double[2][3][3], new long[2], "x", "y");
        assertThrows(IllegalArgumentException.class, () -> Synthesis.generation(other).run(model, labels));
    }

    /**
     * Closed form: with zero colour covariance every seed colour is its class's mean (the
     * Cholesky jitter adds ~3e-5), for both Gaussian seed kinds; a low-res field of one constant
     * interpolates to that constant.
     */
    @Test
    void degenerateStatisticsGiveSeedsOfExactlyTheClassMeans() {
        double[][] mean = {{0.1, 0.2, 0.3}, {0.9, 0.4, 0.05}, {0.35, 0.75, 0.6}};
        ColourStatistics flatColours = new ColourStatistics(List.of("a", "b", "c"), mean, new double[3][3][3], new long[] {1, 1, 1},
                "x", "y");
        int[] lab = labels.toType(DataType.INT32, false).toIntArray();
        for (SeedImage kind : List.of(SeedImage.GAUSSIAN, SeedImage.GAUSSIAN_LOWRES)) {
            float[] start = Synthesis.generation(flatColours).seedImage(kind).steps(1).seed(3).run(model, labels).start();
            for (int i = 0; i < N; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < S * S; p++) {
                        assertEquals(mean[lab[i * S * S + p]][c], start[(i * 3 + c) * S * S + p], 1e-3,
                                kind + ": image " + i + " channel " + c + " pixel " + p);
                    }
                }
            }
        }
    }

    /**
     * Closed forms of the fills on an image whose channels are linear ramps: MEAN writes the
     * outside average (a plain-Java sum here); BLUR's harmonic interpolation reproduces a linear
     * function exactly (it is its own four-neighbour average) for a hole away from the border;
     * NOISE stays in [0,1]; none of them touches a pixel outside the hole.
     */
    @Test
    void fillsMatchTheirClosedForms() {
        float[] ramp = new float[3 * S * S];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < S * S; p++) {
                int r = p / S;
                int col = p % S;
                ramp[c * S * S + p] = 0.1f + 0.1f * c + 0.02f * col + (0.01f * (c - 1)) * r;
            }
        }
        Hole hole = Hole.box(4, 5, 6, 5, S, S);
        boolean[] in = hole.pixels();
        float[] mean = meanFilled(ramp, List.of(hole));
        float[] blur = Fill.BLUR.apply(ramp, hole, new SplittableRandom(0));
        float[] noise = Fill.NOISE.apply(ramp, hole, new SplittableRandom(0));
        assertArrayEquals(mean, Fill.MEAN.apply(ramp, hole, new SplittableRandom(0)), 1e-6f);
        assertArrayEquals(ramp, Fill.NONE.apply(ramp, hole, new SplittableRandom(0)), 0f);
        for (int k = 0; k < ramp.length; k++) {
            assertEquals(ramp[k], blur[k], 1e-3, "blur, index " + k);
            if (!in[k % (S * S)]) {
                assertEquals(ramp[k], blur[k], 0f);
                assertEquals(ramp[k], noise[k], 0f);
            } else {
                assertTrue(noise[k] >= 0 && noise[k] <= 1, "noise " + noise[k]);
            }
        }
        assertFalse(Arrays.equals(ramp, noise));
    }

    @Test
    void editingChangesOnlyTheObjectAndMovesItTowardsTheNewClass() {
        NDArray one = images.get("0:1");
        int[] lab = Arrays.copyOfRange(labels.toType(DataType.INT32, false).toIntArray(), 0, S * S);
        int from = lab[0] == 0 ? Arrays.stream(lab).max().getAsInt() : 1;
        int to = from == 1 ? 2 : 1;
        SynthesisResult r = Synthesis.editing().grow(0).run(model, one, lab, from, to);
        Hole object = Hole.largestComponent(lab, S, S, from);
        float[] x = one.toFloatArray();
        float[] out = r.image(0);
        boolean[] in = object.pixels();
        for (int k = 0; k < out.length; k++) {
            if (!in[k % (S * S)]) {
                assertEquals(Float.floatToIntBits(x[k]), Float.floatToIntBits(out[k]));
            }
        }
        assertTrue(r.lossAfter()[0] < r.lossBefore()[0]);
        assertThrows(IllegalArgumentException.class, () -> Synthesis.editing().run(model, one, new int[S * S], 1, 2));
    }
}
