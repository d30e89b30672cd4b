package org.robustseg.optim;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;

class InputOptimizerTest {
    static SegmentationModel model;
    static NDManager manager;
    static NDList data;

    @BeforeAll
    static void setUp() {
        model = TinySegNet.untrained(11);
        manager = NDManager.newBaseManager("PyTorch");
        data = TinySegNet.scenes(manager, 4, 12);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    static InputOptimizer pgd() {
        return InputOptimizer.of(new LinfStep(8 / 255f, 2 / 255f), Objectives.crossEntropy()).steps(5).randomStart(true).seed(3);
    }

    @Test
    void keepsTheBestIteratePerImage() {
        for (Direction d : Direction.values()) {
            Result r = pgd().direction(d).run(model, data.get(0), data.get(1));
            for (int i = 0; i < 4; i++) {
                float best = d == Direction.MAXIMISE ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (float[] l : r.trace().lossPerSample()) {
                    best = d == Direction.MAXIMISE ? Math.max(best, l[i]) : Math.min(best, l[i]);
                }
                assertEquals(best, r.lossPerSample()[i], 0f, d + " image " + i);
            }
            assertEquals(6, r.trace().lossPerSample().size());
            float[] mean = r.trace().meanLoss();
            assertTrue(d == Direction.MAXIMISE ? mean[5] > mean[0] : mean[5] < mean[0], d + ": " + java.util.Arrays.toString(mean));
        }
    }

    /** The listener sees every evaluated iterate with the trace's loss and the iterate's images, restart after restart. */
    @Test
    void theListenerSeesEveryIterateWithItsLossAndImages() {
        List<int[]> seen = new java.util.ArrayList<>();
        List<float[]> losses = new java.util.ArrayList<>();
        float[][] first = new float[1][];
        float[][] last = new float[1][];
        Result r = pgd().restarts(2).keepBest(false).listener(it -> {
            seen.add(new int[] {it.restart(), it.step(), it.steps(), it.restarts(), it.last() ? 1 : 0});
            losses.add(it.loss());
            if (it.restart() == 1 && it.step() == 0) {
                first[0] = it.images();
            }
            if (it.last()) {
                last[0] = it.images();
            }
        }).run(model, data.get(0), data.get(1));
        assertEquals(12, seen.size(), "2 restarts x (5 steps + the final iterate)");
        for (int k = 0; k < seen.size(); k++) {
            assertArrayEquals(new int[] {k / 6, k % 6, 5, 2, k == 11 ? 1 : 0}, seen.get(k), "call " + k);
            assertArrayEquals(r.trace().lossPerSample().get(k), losses.get(k), 0f, "call " + k + " reports the trace's loss");
        }
        assertEquals(data.get(0).size(), first[0].length);
        assertFalse(java.util.Arrays.equals(first[0], last[0]), "the iterate's images move between the first and the last call");
    }

    /** A listener that throws stops the run between two steps; every array the run made is freed. */
    @Test
    void aListenerThatThrowsStopsTheRunAndFreesItsArrays() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = data.get(0).duplicate();
            x0.attach(m);
            NDArray y = data.get(1).duplicate();
            y.attach(m);
            int before = m.getManagedArrays().size();
            int[] calls = {0};
            java.util.concurrent.CancellationException stop = new java.util.concurrent.CancellationException("stop");
            java.util.concurrent.CancellationException thrown = assertThrows(java.util.concurrent.CancellationException.class,
                    () -> pgd().steps(50).listener(it -> {
                        if (++calls[0] == 3) {
                            throw stop;
                        }
                    }).run(model, x0, y));
            assertSame(stop, thrown);
            assertEquals(3, calls[0], "no iterate after the one that stopped the run");
            assertEquals(before, m.getManagedArrays().size(), "the stopped run left no array behind");
            Result after = pgd().run(model, x0, y); // and the model still works
            assertEquals(4, after.lossPerSample().length);
        }
    }

    /** A given start point (how a staged attack continues) is projected into the ball and is the first iterate. */
    @Test
    void aGivenStartIsProjectedIntoTheBall() {
        NDArray x0 = data.get(0);
        NDArray far = x0.add(0.5f).clip(0, 1);
        Result r = pgd().randomStart(false).steps(0).run(model, x0, far, data.get(1));
        float[] a = x0.toFloatArray();
        float[] b = far.toFloatArray();
        float[] got = r.xBest().toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(Math.min(1f, Math.min(a[i] + 8 / 255f, Math.max(a[i] - 8 / 255f, b[i]))), got[i], 1e-6f, "coordinate " + i);
        }
        assertThrows(IllegalStateException.class, () -> pgd().run(model, x0, far, data.get(1)), "random start and a start point");
    }

    /**
     * With per-image keys, an image's random start is a function of (seed, its key) alone: the same
     * when it is evaluated alone, elsewhere in the batch or next to other images; and the images of
     * two batches no longer share draws, as one stream per batch made them do.
     */
    @Test
    void perImageStreamsDoNotDependOnTheBatch() {
        NDArray x0 = data.get(0);
        NDArray y = data.get(1);
        long[] keys = ImageStreams.keys(List.of("a", "b", "c", "d"));
        InputOptimizer start = pgd().steps(0).imageKeys(keys);
        float[] whole = start.run(model, x0, y).xBest().toFloatArray();
        int per = whole.length / 4;
        for (int i = 0; i < 4; i++) {
            float[] alone = start.imageKeys(new long[] {keys[i]}).run(model, x0.get(i + ":" + (i + 1)), y.get(i + ":" + (i + 1)))
                    .xBest().toFloatArray();
            assertArrayEquals(java.util.Arrays.copyOfRange(whole, i * per, (i + 1) * per), alone, 0f, "image " + i);
        }
        NDArray reversed = ai.djl.ndarray.NDArrays.concat(new NDList(x0.get("3:4"), x0.get("2:3"), x0.get("1:2"), x0.get("0:1")));
        NDArray reversedY = ai.djl.ndarray.NDArrays.concat(new NDList(y.get("3:4"), y.get("2:3"), y.get("1:2"), y.get("0:1")));
        float[] swapped = start.imageKeys(new long[] {keys[3], keys[2], keys[1], keys[0]}).run(model, reversed, reversedY)
                .xBest().toFloatArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 0, per), java.util.Arrays.copyOfRange(swapped, 3 * per, 4 * per), 0f);
        // one stream per batch: image 0 of every batch starts from the same offset; keyed streams differ
        float[] batchwise = pgd().steps(0).run(model, x0, y).xBest().toFloatArray();
        float[] again = pgd().steps(0).run(model, x0, y).xBest().toFloatArray();
        assertArrayEquals(batchwise, again, 0f, "seeded: reproducible");
        assertFalse(java.util.Arrays.equals(whole, batchwise), "keyed streams differ from the batch's stream");
        assertThrows(IllegalArgumentException.class, () -> pgd().imageKeys(new long[] {1, 2}).run(model, x0, y));
    }

    @Test
    void imageKeysAreSha256PrefixesOfTheIds() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'val_000000').hexdigest()[:16])"
        assertEquals(Long.parseUnsignedLong("6d532f566b7a7156", 16), ImageStreams.key("val_000000"));
    }

    @Test
    void skippingTheLastEvaluationReturnsTheSameLastIterate() {
        InputOptimizer last = pgd().keepBest(false);
        Result scored = last.run(model, data.get(0), data.get(1));
        Result unscored = last.evaluateLast(false).run(model, data.get(0), data.get(1));
        assertArrayEquals(scored.xBest().toFloatArray(), unscored.xBest().toFloatArray(), 0f);
        assertTrue(Float.isNaN(unscored.lossPerSample()[0]));
        assertEquals(5, unscored.trace().lossPerSample().size());
        assertThrows(IllegalStateException.class, () -> pgd().evaluateLast(false).run(model, data.get(0), data.get(1)));
    }

    @Test
    void sameSeedGivesBitIdenticalResultsAndAnotherSeedDoesNot() {
        float[] a = pgd().run(model, data.get(0), data.get(1)).xBest().toFloatArray();
        float[] b = pgd().run(model, data.get(0), data.get(1)).xBest().toFloatArray();
        float[] c = pgd().seed(4).run(model, data.get(0), data.get(1)).xBest().toFloatArray();
        assertArrayEquals(a, b, 0f);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    /**
     * Restarts draw distinct random starts (restart k uses the k-th split of the seed) and the run
     * keeps per image the best iterate over all of them. If every restart reused one seed, the
     * three restarts would repeat the first and none of the strict checks below could hold.
     */
    @Test
    void restartsStartApartAndKeepTheBestOverAllOfThem() {
        Result one = pgd().run(model, data.get(0), data.get(1));
        Result three = pgd().restarts(3).run(model, data.get(0), data.get(1));
        assertEquals(18, three.trace().lossPerSample().size());
        List<float[]> t = three.trace().lossPerSample();
        int improved = 0;
        for (int i = 0; i < 4; i++) {
            // the random starts of the three restarts (entries 0, 6, 12) are different points
            assertNotEquals(t.get(0)[i], t.get(6)[i], "image " + i + ": restarts 0 and 1 start alike");
            assertNotEquals(t.get(6)[i], t.get(12)[i], "image " + i + ": restarts 1 and 2 start alike");
            float best = Float.NEGATIVE_INFINITY;
            for (float[] l : t) {
                best = Math.max(best, l[i]);
            }
            assertEquals(best, three.lossPerSample()[i], 0f, "image " + i + ": not the best over all restarts");
            assertTrue(three.lossPerSample()[i] >= one.lossPerSample()[i], "image " + i);
            improved += three.lossPerSample()[i] > one.lossPerSample()[i] ? 1 : 0;
        }
        assertTrue(improved > 0, "two more restarts improved no image: they repeat the first");
    }

    /**
     * An objective whose scale changes over the run (as SegPGD's λ schedule does) must not decide
     * the selection by its scale. Here the loss is CE·1000 at iteration 0 (CE·0.001 when minimising)
     * and CE afterwards. A positive scale leaves the L∞ step unchanged, so the iterates are those of
     * plain CE and so must be the kept ones; comparing the raw scheduled values kept x0 for every
     * image, since 1000·CE(x0) beats any later CE.
     */
    @Test
    void aScheduledObjectiveDoesNotMakeTheSelectionPickAWorseIterate() {
        for (Direction d : Direction.values()) {
            float early = d == Direction.MAXIMISE ? 1000f : 0.001f;
            Objective scaled = Objective.of("scheduled-ce",
                    c -> PixelCrossEntropy.perSample(c.logits(), c.target()).mul(c.step() == 0 ? early : 1f));
            InputOptimizer plain = pgd().randomStart(false).direction(d);
            Result expected = plain.run(model, data.get(0), data.get(1));
            Result got = plain.objective(scaled).run(model, data.get(0), data.get(1));
            assertArrayEquals(expected.xBest().toFloatArray(), got.xBest().toFloatArray(), 0f, d + ": another iterate was kept");
            assertArrayEquals(expected.lossPerSample(), got.lossPerSample(), 0f, d.toString());
            // and that iterate is not the start: CE moved in the asked direction on every image
            float[] start = expected.trace().lossPerSample().get(0);
            for (int i = 0; i < 4; i++) {
                assertTrue(d.sign() * got.lossPerSample()[i] > d.sign() * start[i], d + " image " + i + " kept the start");
            }
        }
    }

    @Test
    void memoryStaysFlatOverManyIterations() {
        try (NDManager caller = manager.newSubManager()) {
            NDArray x = data.get(0).duplicate();
            x.attach(caller);
            int modelArrays = model.manager().getManagedArrays().size();
            int callerArrays = caller.getManagedArrays().size();
            long t0 = System.nanoTime();
            int iterations = 200;
            Result r = InputOptimizer.of(new L2Step(0.5f, 0.1f), Objectives.maskedCrossEntropy())
                    .steps(iterations).randomStart(true).gradientTransform(GradientTransform.gaussianBlur(1f))
                    .run(model, x, data.get(1));
            double ms = (System.nanoTime() - t0) / 1e6 / (iterations + 1);
            assertEquals(modelArrays, model.manager().getManagedArrays().size(), "arrays leaked into the model's manager");
            // the caller's manager gains exactly the result
            assertEquals(callerArrays + 1, caller.getManagedArrays().size(), "arrays leaked into the caller's manager");
            assertEquals(new Shape(4, 3, TinySegNet.SIZE, TinySegNet.SIZE), r.xBest().getShape());
            System.out.printf("memory check: %d iterations, model manager %d arrays, caller +1 array, %.2f ms/iteration (N=4, 16x16, blur)%n",
                    iterations, modelArrays, ms);
        }
    }

    @Test
    void zeroIterationsOnlyEvaluatesTheStart() {
        Result r = InputOptimizer.of(new LinfStep(0.1f, 0.1f), Objectives.crossEntropy()).steps(0).run(model, data.get(0), data.get(1));
        assertArrayEquals(data.get(0).toFloatArray(), r.xBest().toFloatArray(), 0f);
        assertEquals(1, r.trace().lossPerSample().size());
    }

    @Test
    void badInputsNameTheOption() {
        InputOptimizer o = pgd();
        NDArray wrong = manager.zeros(new Shape(4, 8, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.run(model, data.get(0), wrong));
        assertTrue(e.getMessage().contains("(4, 8, 8)") && e.getMessage().contains("(4, 3, 16, 16)"), e.getMessage());
        NDArray bright = data.get(0).mul(2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.run(model, bright, data.get(1))).getMessage().contains("[0,1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.steps(-1)).getMessage().contains("steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.restarts(0)).getMessage().contains("restarts"));
    }
}
