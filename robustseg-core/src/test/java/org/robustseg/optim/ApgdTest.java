package org.robustseg.optim;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;

/**
 * APGD's step-size rule against hand-worked loss sequences, its first two moves against the
 * formulas of Croce &amp; Hein's Algorithm 1 computed here in plain Java, and the loop's promise
 * that an APGD run is never weaker per image than its first iterate.
 */
class ApgdTest {
    static SegmentationModel model;
    static NDManager manager;
    static NDArray images;
    static NDArray labels;

    @BeforeAll
    static void setUp() {
        model = TinySegNet.trained(3, 60);
        manager = NDManager.newBaseManager("PyTorch");
        NDList val = TinySegNet.scenes(manager, 6, 4242);
        images = val.get(0);
        labels = val.get(1);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    /** p = 0, .22, .41, .57, .70, .80, .87, .93, .99 (each gap max(previous gap − .03, .06)), w = ⌈p·N⌉. */
    @Test
    void checkpointsFollowThePapersRecurrence() {
        assertArrayEquals(new int[] {22, 41, 57, 70, 80, 87, 93, 99}, ApgdController.checkpoints(100));
        assertArrayEquals(new int[] {66, 123, 171, 210, 240, 261, 279, 297}, ApgdController.checkpoints(300));
        // ⌈2.2⌉=3, ⌈4.1⌉=5, ⌈5.7⌉=6, 7, 8, ⌈8.7⌉=9, ⌈9.3⌉=10, ⌈9.9⌉=10 (once)
        assertArrayEquals(new int[] {3, 5, 6, 7, 8, 9, 10}, ApgdController.checkpoints(10));
        assertArrayEquals(new int[] {1}, ApgdController.checkpoints(1));
    }

    /** Feeds t = 0..upTo of each image's scripted losses; returns the restart decisions of the last one. */
    private static boolean[] feed(ApgdController c, float[][] losses, int from, int upTo) {
        boolean[] r = null;
        for (int t = from; t <= upTo; t++) {
            float[] at = new float[losses.length];
            for (int i = 0; i < losses.length; i++) {
                at[i] = losses[i][t];
            }
            r = c.observe(t, at);
            if (t != upTo) {
                for (boolean b : r) {
                    assertFalse(b, "a restart away from a checkpoint, t = " + t);
                }
            }
        }
        return r;
    }

    /**
     * 100 steps: the first checkpoint is 22, so ρ·22 = 16.5 increases are needed to keep the step.
     * Image 0 rises 17 times in 22 steps (kept), image 1 16 times (halved), image 2 never moves
     * (halved: both conditions), image 3 rises every step (kept).
     */
    @Test
    void conditionOneCountsTheIncreasesSinceTheLastCheckpoint() {
        float[][] loss = new float[4][101];
        for (int t = 1; t <= 22; t++) {
            // 17 (resp. 16) increases: rise on t = 1..17 (1..16), then fall a little each step
            loss[0][t] = t <= 17 ? t : 17 - 0.1f * (t - 17);
            loss[1][t] = t <= 16 ? t : 16 - 0.1f * (t - 16);
            loss[2][t] = 0;
            loss[3][t] = t;
        }
        ApgdController c = new ApgdController(4, 100, 0.5f, 0.75);
        boolean[] restart = feed(c, loss, 0, 22);
        assertArrayEquals(new boolean[] {false, true, true, false}, restart);
        assertArrayEquals(new float[] {0.5f, 0.25f, 0.25f, 0.5f}, c.stepSizes(), 0f);
        assertArrayEquals(new float[] {17, 16, 0, 22}, c.best(), 0f);
    }

    /**
     * Condition 2: after a checkpoint without halving, a window whose best loss did not change
     * halves the step even when most of its steps went up (image 0); one new best keeps it (image 1);
     * right after a halving, an unchanged best alone does not halve again (image 2).
     */
    @Test
    void conditionTwoHalvesWhenTheBestIsStalledUnlessJustHalved() {
        float[][] loss = new float[3][101];
        for (int t = 1; t <= 22; t++) {
            loss[0][t] = t; // rises every step: kept at 22, best 22
            loss[1][t] = t;
            loss[2][t] = 5; // flat: halved at 22 (condition 1), best 5
        }
        loss[2][0] = 5;
        // window 23..41 (19 steps, ρ·19 = 14.25): a drop, then 18 rises
        for (int t = 23; t <= 41; t++) {
            loss[0][t] = t - 23;                 // 0..18 < 22: best unchanged
            loss[1][t] = t == 41 ? 23 : t - 23;  // a new best at 41
            loss[2][t] = 0.1f * (t - 23);        // 0..1.8 < 5, 18 rises, best unchanged
        }
        ApgdController c = new ApgdController(3, 100, 1f, 0.75);
        assertArrayEquals(new boolean[] {false, false, true}, feed(c, loss, 0, 22));
        assertArrayEquals(new boolean[] {true, false, false}, feed(c, loss, 23, 41));
        assertArrayEquals(new float[] {0.5f, 1f, 0.5f}, c.stepSizes(), 0f);
    }

    /** After a restart the next step is compared with the best point's loss, from which it is taken. */
    @Test
    void afterARestartIncreasesCountFromTheBestLoss() {
        float[][] loss = new float[1][11];
        // 10 steps: checkpoints 3, 5, ...; window 1..3 has one rise (< 2.25): halved, restart from best 4
        float[] script = {0, 4, 1, 2, 3, 4.5f, 0, 0, 0, 0, 0};
        loss[0] = script;
        ApgdController c = new ApgdController(1, 10, 1f, 0.75);
        assertArrayEquals(new boolean[] {true}, feed(c, loss, 0, 3));
        // window 4..5 (ρ·2 = 1.5): 3 -> 4.5 would be two rises counted from the last iterate (2),
        // but counted from the best point (4) only t=5 rises: 1 < 1.5, halved again
        assertArrayEquals(new boolean[] {true}, feed(c, loss, 4, 5));
        assertArrayEquals(new float[] {0.25f}, c.stepSizes(), 0f);
    }

    /**
     * The first move is z = P(x0 + 2ε·sign ∇) (no momentum), i.e. x0 + ε·sign ∇ clipped; the second
     * x2 = P(x1 + α(z2 − x1) + (1 − α)(x1 − x0)) with z2 = P(x1 + 2ε·sign ∇f(x1)), α = 0.75.
     */
    @Test
    void firstTwoMovesFollowAlgorithmOne() {
        float eps = 4 / 255f;
        InputOptimizer apgd = InputOptimizer.of(new LinfStep(eps, 2 * eps), Objectives.crossEntropy())
                .schedule(Apgd.create()).keepBest(false);
        float[] x0 = images.toFloatArray();
        float[] g0 = InputGradient.of(model, images, Objectives.crossEntropy(), labels).gradient().toFloatArray();
        float[] x1 = new float[x0.length];
        for (int k = 0; k < x0.length; k++) {
            x1[k] = box(x0[k], x0[k] + 2 * eps * Math.signum(g0[k]), eps);
        }
        assertArrayEquals(x1, apgd.steps(1).run(model, images, labels).xBest().toFloatArray(), 1e-6f);

        NDArray x1Array = manager.create(x1, images.getShape());
        float[] g1 = InputGradient.of(model, x1Array, Objectives.crossEntropy(), labels).gradient().toFloatArray();
        float[] x2 = new float[x0.length];
        for (int k = 0; k < x0.length; k++) {
            float z = box(x0[k], x1[k] + 2 * eps * Math.signum(g1[k]), eps);
            x2[k] = box(x0[k], x1[k] + 0.75f * (z - x1[k]) + 0.25f * (x1[k] - x0[k]), eps);
        }
        // a 2-step run has a checkpoint at t = 1 (⌈0.22·2⌉ = 1); where the loss rose at step 1 neither
        // condition holds (1 rise in a window of 1, a new best), so the second move is the plain formula
        Result two = apgd.steps(2).run(model, images, labels);
        float[] t0 = two.trace().lossPerSample().get(0);
        float[] t1 = two.trace().lossPerSample().get(1);
        for (int i = 0; i < t0.length; i++) {
            assertTrue(t1[i] > t0[i], "precondition: the first step raised the loss of image " + i);
        }
        assertArrayEquals(x2, two.xBest().toFloatArray(), 1e-6f);
    }

    private static float box(float x0, float v, float eps) {
        return Math.min(1f, Math.max(0f, Math.min(x0 + eps, Math.max(x0 - eps, v))));
    }

    /**
     * The loop keeps per image the best iterate by its selection, so an APGD run never returns
     * anything weaker than its first iterate (the clean image here): by loss under Selection.LOSS
     * and by accuracy under Selection.ACCURACY, in both norms. The run must also move somewhere,
     * or the check would be empty.
     */
    @Test
    void neverWeakerPerImageThanTheFirstIterate() {
        float[] clean = PixelAccuracy.perSample(model.logits(images.duplicate()), labels).toFloatArray();
        for (Step step : new Step[] {new LinfStep(16 / 255f, 32 / 255f), new L2Step(1.5f, 3f)}) {
            InputOptimizer apgd = InputOptimizer.of(step, Objectives.maskedCrossEntropy()).schedule(Apgd.create()).steps(12);
            Result byLoss = apgd.run(model, images, labels);
            float[] first = byLoss.trace().lossPerSample().get(0);
            boolean raised = false;
            for (int i = 0; i < first.length; i++) {
                assertTrue(byLoss.lossPerSample()[i] >= first[i], step + " image " + i);
                raised |= byLoss.lossPerSample()[i] > first[i];
            }
            assertTrue(raised, step + ": no image's loss rose; the check says nothing");
            Result byAccuracy = apgd.selection(Selection.ACCURACY).run(model, images, labels);
            for (int i = 0; i < clean.length; i++) {
                assertTrue(byAccuracy.accuracyPerSample()[i] <= clean[i], step + " image " + i);
            }
        }
    }
}
