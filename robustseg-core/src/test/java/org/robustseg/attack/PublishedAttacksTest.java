package org.robustseg.attack;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.TinySegNet;

/**
 * The reference-strength attacks on a model trained inside the test: SEA as published (APGD,
 * progressive radius) against today's PGD-10 ensemble on the same losses, and the black-box
 * Square attack.
 */
class PublishedAttacksTest {
    static final float EPS = 3 / 255f;
    static SegmentationModel model;
    static NDManager manager;
    static NDArray images;
    static NDArray labels;
    static float[] clean;

    @BeforeAll
    static void train() {
        model = TinySegNet.trained(1, 80);
        manager = NDManager.newBaseManager("PyTorch");
        NDList val = TinySegNet.scenes(manager, 8, 777);
        images = val.get(0);
        labels = val.get(1);
        clean = GradientAttack.evaluate(model, images.duplicate(), labels).accuracy();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    static float mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return (float) (s / v.length);
    }

    /**
     * SEA-APGD (here 60 steps per loss: 18 at 2ε, 18 at 1.5ε, 24 at ε) against PGD-10 with the
     * same four losses at ε = 12/255: stronger on average, and on no image weaker by more than four
     * pixels of its 256, with the budget holding at ε.
     *
     * <p>Why the four pixels: this three-layer model saturates — PGD-10, PGD-100, APGD-100 and
     * SEA all end within a few pixels of each other per image — and where they do, PGD's random
     * start wins a few pixels on some image by luck. Measured on these 8 images: at 4/255 SEA-300
     * 0.8862 vs PGD-10 0.8872 (one image 1 pixel worse); at 12/255 SEA-300 0.7192 vs 0.7310 with
     * no image worse, but SEA-60 0.7217 with image 0 three pixels worse (0.8750 vs 0.8633), and
     * SEA-60 with random starts 0.7212–0.7217, again one image worse. The strict per-image order
     * holds here only at SEA's full 300 steps, which take minutes on two cores.
     */
    @Test
    void seaIsAtLeastAsStrongAsPgdTenOnEveryImage() {
        float eps = 12 / 255f;
        float fourPixels = 4f / (TinySegNet.SIZE * TinySegNet.SIZE);
        AttackResult pgd = Attacks.seaPgd(Norm.LINF).eps(eps).steps(10).perturb(model, images, labels);
        AttackResult sea = Attacks.sea(Norm.LINF).eps(eps).steps(60).perturb(model, images, labels);
        System.out.println("PGD-10 " + java.util.Arrays.toString(pgd.accuracy()) + "\nSEA-60 " + java.util.Arrays.toString(sea.accuracy()));
        for (double d : AttacksTest.distancesFrom(images, Norm.LINF, sea.adversarial())) {
            assertTrue(d <= eps + 1e-6, "‖δ‖∞ = " + d + " > " + eps);
        }
        for (int i = 0; i < clean.length; i++) {
            assertTrue(sea.accuracy()[i] <= pgd.accuracy()[i] + fourPixels + 1e-6f,
                    "image " + i + ": SEA " + sea.accuracy()[i] + " > PGD-10 " + pgd.accuracy()[i] + " + four pixels");
        }
        assertTrue(mean(sea.accuracy()) < mean(pgd.accuracy()), "SEA " + mean(sea.accuracy()) + " not below PGD-10 " + mean(pgd.accuracy()));
        assertTrue(mean(pgd.accuracy()) > 0, "PGD-10 broke everything: the comparison says nothing");
        System.out.printf("eps 12/255, 8 images: clean %.4f, PGD-10 ensemble %.4f, SEA-APGD (60 steps) %.4f%n",
                mean(clean), mean(pgd.accuracy()), mean(sea.accuracy()));
    }

    /** APGD alone (CE, 20 steps) against PGD (CE, 20 steps, random start), same budget. */
    @Test
    void apgdIsAtLeastAsStrongAsPgdOnAverage() {
        AttackResult pgd = Attacks.pgd(Norm.LINF).eps(EPS).steps(20).perturb(model, images, labels);
        AttackResult apgd = Attacks.apgd(Norm.LINF).eps(EPS).steps(20).perturb(model, images, labels);
        System.out.printf("eps 3/255, CE, 20 steps: PGD %.4f, APGD %.4f%n", mean(pgd.accuracy()), mean(apgd.accuracy()));
        assertTrue(mean(apgd.accuracy()) <= mean(pgd.accuracy()), "APGD " + mean(apgd.accuracy()) + " > PGD " + mean(pgd.accuracy()));
    }

    /** Square lowers accuracy inside the L∞ budget and never asks for a gradient. */
    @Test
    void squareLowersAccuracyWithForwardPassesOnly() {
        float eps = 16 / 255f;
        long before = InputGradient.calls();
        AttackResult r = Attacks.square(Norm.LINF).eps(eps).queries(300).pInit(0.3f).perturb(model, images, labels);
        assertEquals(before, InputGradient.calls(), "the square attack computed input gradients");
        for (double d : AttacksTest.distancesFrom(images, Norm.LINF, r.adversarial())) {
            assertTrue(d <= eps + 1e-6, "‖δ‖∞ = " + d);
        }
        assertTrue(mean(r.accuracy()) < mean(clean) - 0.02f, "square: " + mean(r.accuracy()) + " vs clean " + mean(clean));
        for (int i = 0; i < clean.length; i++) {
            assertTrue(r.accuracy()[i] <= clean[i] + 1e-6f, "image " + i + " got better under attack"); // it starts from stripes, not x0
        }
        // and the counter does count: one PGD step is one gradient per restart
        Attacks.pgd(Norm.LINF).steps(2).perturb(model, images, labels);
        assertEquals(before + 2, InputGradient.calls());
        System.out.printf("square 300 queries eps 16/255: clean %.4f -> %.4f%n", mean(clean), mean(r.accuracy()));
    }

    /**
     * Square for L2 (the paper's Algorithm 3): accuracy drops inside the L2 ball with forward passes
     * only. Its meta-pattern has unit norm, halves of opposite sign with equal mass, the peak at the
     * centre of each half, and the transposed pattern is the transpose.
     */
    @Test
    void squareL2LowersAccuracyInsideTheBallWithForwardPassesOnly() {
        float eps = 2f;
        long before = InputGradient.calls();
        AttackResult r = Attacks.square(Norm.L2).eps(eps).queries(300).perturb(model, images, labels);
        assertEquals(before, InputGradient.calls(), "the square attack computed input gradients");
        for (double d : AttacksTest.distancesFrom(images, Norm.L2, r.adversarial())) {
            assertTrue(d <= eps * (1 + 1e-5) && d > eps / 2, "‖δ‖₂ = " + d + " for eps " + eps);
        }
        assertTrue(mean(r.accuracy()) < mean(clean) - 0.02f, "square L2: " + mean(r.accuracy()) + " vs clean " + mean(clean));
        System.out.printf("square L2 300 queries eps 2: clean %.4f -> %.4f%n", mean(clean), mean(r.accuracy()));

        float[][] p = SquareAttack.metaPattern(7, false);
        double sq = 0;
        double top = 0;
        double bottom = 0;
        for (int row = 0; row < 7; row++) {
            for (int col = 0; col < 7; col++) {
                sq += p[row][col] * p[row][col];
                if (row < 3) {
                    top += p[row][col];
                    assertTrue(p[row][col] > 0 && p[row][col] <= p[1][3] + 1e-7f, "top half at " + row + "," + col);
                } else {
                    bottom += p[row][col];
                    assertTrue(p[row][col] < 0 && p[row][col] >= p[5][3] - 1e-7f, "bottom half at " + row + "," + col);
                }
            }
        }
        assertEquals(1, sq, 1e-5);
        assertTrue(top > 0 && bottom < 0 && Math.abs(top + bottom) < 0.2 * top, top + " vs " + bottom);
        float[][] t = SquareAttack.metaPattern(7, true);
        for (int row = 0; row < 7; row++) {
            for (int col = 0; col < 7; col++) {
                assertEquals(p[row][col], t[col][row], 0f);
            }
        }
    }

    /** The window's share halves at 10, 50, 200, ... of 10 000 queries, rescaled to the budget. */
    @Test
    void squareWindowScheduleIsThePapers() {
        assertEquals(0.8f, SquareAttack.share(0.8f, 10, 10000), 0f);
        assertEquals(0.4f, SquareAttack.share(0.8f, 11, 10000), 0f);
        assertEquals(0.2f, SquareAttack.share(0.8f, 51, 10000), 0f);
        assertEquals(0.8f / 512, SquareAttack.share(0.8f, 9999, 10000), 0f);
        assertEquals(0.4f, SquareAttack.share(0.8f, 2, 1000), 0f); // 2/1000 = 20/10000
    }

    /** Square as an ensemble member: the ensemble is never weaker per image than SEA alone. */
    @Test
    void squareJoinsAnEnsemble() {
        Ensemble sea = Attacks.sea(Norm.LINF).steps(6).eps(EPS);
        Ensemble withSquare = Attacks.sea(Norm.LINF).steps(6).plus(Attacks.square(Norm.LINF).queries(20)).eps(EPS);
        assertEquals(5, withSquare.members().size());
        assertEquals(EPS, withSquare.members().get(4).eps(), "the square member was not given the ensemble's eps");
        AttackResult a = sea.perturb(model, images, labels);
        AttackResult b = withSquare.perturb(model, images, labels);
        for (int i = 0; i < clean.length; i++) {
            assertTrue(b.accuracy()[i] <= a.accuracy()[i], "image " + i);
        }
        assertEquals("square", ((java.util.Map<?, ?>) ((java.util.List<?>) withSquare.settings().get("members")).get(4)).get("name"));
    }
}
