package org.robustseg.attack;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Mask;
import org.robustseg.optim.TinySegNet;

/** Foolbox-style: every attack, every norm, numbers asserted on a model trained inside the test. */
class AttacksTest {
    static SegmentationModel model;
    static NDManager manager;
    static NDArray images;
    static NDArray labels;
    static float cleanAccuracy;

    @BeforeAll
    static void train() {
        model = TinySegNet.trained(1, 80);
        manager = NDManager.newBaseManager("PyTorch");
        NDList val = TinySegNet.scenes(manager, 6, 999);
        images = val.get(0);
        labels = val.get(1);
        cleanAccuracy = TinySegNet.accuracy(model, images, labels);
        assertTrue(cleanAccuracy > 0.9f, "the fixture model should have learnt the task, accuracy " + cleanAccuracy);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                Arguments.of(Attacks.fgsm(Norm.LINF).eps(16 / 255f).stepSize(16 / 255f), Norm.LINF, 16 / 255f),
                Arguments.of(Attacks.fgsm(Norm.L2).eps(1f).stepSize(1f), Norm.L2, 1f),
                Arguments.of(Attacks.bim(0.03f, 0.01f, 4), Norm.LINF, 0.03f),
                Arguments.of(Attacks.pgd(Norm.LINF).eps(8 / 255f).steps(5), Norm.LINF, 8 / 255f),
                Arguments.of(Attacks.pgd(Norm.L2).eps(1f).steps(5), Norm.L2, 1f),
                Arguments.of(Attacks.segPgd(Norm.LINF).eps(8 / 255f).steps(5), Norm.LINF, 8 / 255f),
                Arguments.of(Attacks.segPgd(Norm.L2).eps(1f).steps(5), Norm.L2, 1f),
                Arguments.of(Attacks.sea(Norm.LINF).eps(8 / 255f).steps(4), Norm.LINF, 8 / 255f),
                Arguments.of(Attacks.sea(Norm.L2).eps(1f).steps(4), Norm.L2, 1f),
                Arguments.of(Attacks.seaPgd(Norm.LINF).eps(8 / 255f).steps(4), Norm.LINF, 8 / 255f),
                Arguments.of(Attacks.apgd(Norm.LINF).eps(8 / 255f).steps(5), Norm.LINF, 8 / 255f),
                Arguments.of(Attacks.apgd(Norm.L2).eps(1f).steps(5), Norm.L2, 1f));
    }

    static double[] distances(Norm norm, NDArray adv) {
        return distancesFrom(images, norm, adv);
    }

    /** Per image ‖adv − images‖ in {@code norm}. */
    static double[] distancesFrom(NDArray images, Norm norm, NDArray adv) {
        float[] a = adv.toFloatArray();
        float[] b = images.toFloatArray();
        int n = (int) images.getShape().get(0);
        int d = a.length / n;
        double[] out = new double[n];
        for (int s = 0; s < n; s++) {
            float[] delta = new float[d];
            for (int i = 0; i < d; i++) {
                delta[i] = a[s * d + i] - b[s * d + i];
            }
            out[s] = norm.measure(delta);
        }
        return out;
    }

    static float mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return (float) (s / v.length);
    }

    /** Data-set-level mIoU of the fixture model on {@code x} against the true labels. */
    static double miou(NDArray x) {
        org.robustseg.metric.ConfusionMatrix cm = new org.robustseg.metric.ConfusionMatrix(model.numClasses());
        cm.add(model.logits(x), labels);
        return cm.meanIou();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void staysInTheBudgetAndLowersAccuracy(Attack attack, Norm norm, float eps) {
        AttackResult r = attack.perturb(model, images, labels);
        for (double d : distances(norm, r.adversarial())) {
            assertTrue(d <= eps + 1e-6, attack.name() + ": ‖δ‖ = " + d + " > " + eps);
        }
        for (float v : r.adversarial().toFloatArray()) {
            assertTrue(v >= 0 && v <= 1);
        }
        float adv = mean(r.accuracy());
        assertEquals(TinySegNet.accuracy(model, r.adversarial(), labels), adv, 1e-6f);
        assertTrue(adv < cleanAccuracy, attack.name() + ": adversarial accuracy " + adv + " not below clean " + cleanAccuracy);
        double cleanMiou = miou(images);
        double advMiou = miou(r.adversarial());
        assertTrue(advMiou < cleanMiou, attack.name() + ": adversarial mIoU " + advMiou + " not below clean " + cleanMiou);
        System.out.printf("%-40s clean %.3f adversarial %.3f%n", attack.name() + " " + norm + " eps " + eps, cleanAccuracy, adv);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void sameSeedSameImagesAndZeroEpsIsTheIdentity(Attack attack, Norm norm, float eps) {
        Attack a = attack instanceof GradientAttack g ? g.steps(2) : ((Ensemble) attack).steps(2);
        assertArrayEquals(a.perturb(model, images, labels).adversarial().toFloatArray(),
                a.perturb(model, images, labels).adversarial().toFloatArray(), 0f);
        Attack zero = a instanceof GradientAttack g ? g.eps(0).stepSize(0.1f) : ((Ensemble) a).eps(0).stepSize(0.1f);
        assertArrayEquals(images.toFloatArray(), zero.perturb(model, images, labels).adversarial().toFloatArray(), 0f);
    }

    @ParameterizedTest
    @MethodSource("norms")
    void maskedAttackLeavesOtherPixelsBitIdentical(Norm norm) {
        AttackResult r = Attacks.pgd(norm).eps(norm == Norm.LINF ? 0.1f : 1f).steps(3).mask(Mask.box(4, 4, 8, 8))
                .perturb(model, images, labels);
        float[] a = r.adversarial().toFloatArray();
        float[] b = images.toFloatArray();
        int s = TinySegNet.SIZE;
        int moved = 0;
        for (int i = 0; i < a.length; i++) {
            int row = (i / s) % s;
            int col = i % s;
            if (row < 4 || row >= 12 || col < 4 || col >= 12) {
                assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]));
            } else if (a[i] != b[i]) {
                moved++;
            }
        }
        assertTrue(moved > 0);
    }

    static Stream<Norm> norms() {
        return Stream.of(Norm.values());
    }

    /**
     * Restarts start from different random points, so on some image the best of three must beat
     * the first restart alone; with one seed for every restart the three would repeat the first
     * and this test fails.
     */
    @ParameterizedTest
    @MethodSource("norms")
    void restartsAreNeverWeakerPerImageAndStrongerOnSome(Norm norm) {
        GradientAttack pgd = Attacks.pgd(norm).eps(norm == Norm.LINF ? 4 / 255f : 0.5f).steps(3).seed(5);
        AttackResult one = pgd.perturb(model, images, labels);
        AttackResult three = pgd.restarts(3).perturb(model, images, labels);
        int stronger = 0;
        for (int i = 0; i < one.accuracy().length; i++) {
            assertTrue(three.accuracy()[i] <= one.accuracy()[i], "image " + i + ": " + three.accuracy()[i] + " > " + one.accuracy()[i]);
            boolean better = three.accuracy()[i] < one.accuracy()[i]
                    || three.accuracy()[i] == one.accuracy()[i] && three.loss()[i] > one.loss()[i];
            stronger += better ? 1 : 0;
        }
        assertTrue(stronger > 0, "two more restarts did not change a single image: they repeat the first");
    }

    /**
     * The ensemble keeps per image the worst member result (lowest accuracy, then highest CE,
     * first member on a full tie) — recomputed here from the members run alone — and its members
     * start from distinct random points.
     */
    @Test
    void ensembleKeepsTheWorstMemberPerImageAndSeedsMembersApart() {
        Ensemble sea = Attacks.seaPgd(Norm.LINF).eps(4 / 255f).steps(3);
        java.util.Set<Long> seeds = new java.util.HashSet<>();
        for (BudgetedAttack member : sea.members()) {
            seeds.add(((GradientAttack) member).seed());
        }
        assertEquals(sea.members().size(), seeds.size(), "members share a seed: " + seeds);
        assertNotEquals(((GradientAttack) sea.members().get(0)).seed(), ((GradientAttack) sea.seed(1).members().get(0)).seed(),
                "seed(..) does not reach the members");
        AttackResult all = sea.perturb(model, images, labels);
        int n = all.accuracy().length;
        int per = (int) (images.size() / n);
        float[] allX = all.adversarial().toFloatArray();
        float[] bestAcc = new float[n];
        float[] bestLoss = new float[n];
        float[][] bestX = new float[n][];
        java.util.Arrays.fill(bestAcc, Float.POSITIVE_INFINITY);
        for (BudgetedAttack member : sea.members()) {
            AttackResult r = member.perturb(model, images, labels);
            float[] x = r.adversarial().toFloatArray();
            for (int i = 0; i < n; i++) {
                if (r.accuracy()[i] < bestAcc[i] || r.accuracy()[i] == bestAcc[i] && r.loss()[i] > bestLoss[i]) {
                    bestAcc[i] = r.accuracy()[i];
                    bestLoss[i] = r.loss()[i];
                    bestX[i] = java.util.Arrays.copyOfRange(x, i * per, (i + 1) * per);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(bestAcc[i], all.accuracy()[i], 0f, "image " + i);
            assertEquals(bestLoss[i], all.loss()[i], 0f, "image " + i);
            assertArrayEquals(bestX[i], java.util.Arrays.copyOfRange(allX, i * per, (i + 1) * per), 0f, "image " + i);
        }
    }

    /**
     * FGSM returns its one attacked image, clip(x0 + eps·sign(∇CE)), on every image — also where
     * that image happens to be classified better than the clean one (an untrained model and a
     * large step make such images likely; the test checks that it has some). Keeping the better
     * of clean and attacked returned x0 there.
     */
    @Test
    void fgsmReturnsTheAttackedImageEvenWhereCleanIsWorse() {
        float eps = 0.25f;
        // the first untrained model (seeds are deterministic) on which FGSM helps some image
        for (long seed = 0; seed < 12; seed++) {
            try (SegmentationModel untrained = TinySegNet.untrained(seed)) {
                AttackResult r = Attacks.fgsm(Norm.LINF).eps(eps).stepSize(eps).perturb(untrained, images, labels);
                float[] clean = GradientAttack.evaluate(untrained, images.duplicate(), labels).accuracy();
                int helped = 0;
                for (int i = 0; i < clean.length; i++) {
                    helped += r.accuracy()[i] > clean[i] ? 1 : 0;
                }
                if (helped == 0) {
                    continue;
                }
                float[] g = org.robustseg.optim.InputGradient.of(untrained, images, org.robustseg.optim.Objectives.crossEntropy(), labels)
                        .gradient().toFloatArray();
                float[] x0 = images.toFloatArray();
                float[] got = r.adversarial().toFloatArray();
                for (int i = 0; i < x0.length; i++) {
                    double expected = Math.min(1, Math.max(0, x0[i] + eps * Math.signum(g[i])));
                    assertEquals(expected, got[i], 1e-7, "coordinate " + i);
                }
                return;
            }
        }
        fail("no untrained model among seeds 0-11 on which FGSM helps an image: the test cannot tell FGSM from best-of-clean");
    }

    @Test
    void targetedAttackRaisesTheTargetClassShare() {
        NDArray target = Targets.everyPixel(labels, 2, TinySegNet.CLASSES);
        float before = TinySegNet.accuracy(model, images, target);
        AttackResult r = Attacks.targeted(Norm.LINF).eps(16 / 255f).steps(8).perturb(model, images, target);
        float after = mean(r.accuracy());
        assertTrue(after > before + 0.1f, "share of class 2: " + before + " -> " + after);
        // class a -> class b keeps other pixels and ignore pixels
        NDArray withIgnore = labels.toType(ai.djl.ndarray.types.DataType.INT32, false).duplicate();
        withIgnore.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0"), 255);
        int[] relabelled = Targets.relabel(withIgnore, 0, 1, 3).toIntArray();
        int[] orig = withIgnore.toIntArray();
        for (int i = 0; i < orig.length; i++) {
            assertEquals(orig[i] == 0 ? 1 : orig[i], relabelled[i]);
        }
        assertEquals(255, Targets.everyPixel(withIgnore, 1, 3).toIntArray()[0]);
    }


    @Test
    void badOptionsGetMessagesNamingThem() {
        assertMessage("eps", () -> Attacks.pgd(Norm.LINF).eps(-0.1f));
        assertMessage("eps must be <= 1 for linf", () -> Attacks.pgd(Norm.LINF).eps(1.5f));
        assertMessage("steps", () -> Attacks.pgd(Norm.L2).steps(0));
        assertMessage("restarts", () -> Attacks.pgd(Norm.L2).restarts(0));
        assertMessage("stepSize", () -> Attacks.pgd(Norm.L2).stepSize(-1));
        assertMessage("unknown attack 'cw'", () -> Attacks.parse("cw", Norm.LINF));
        assertMessage("fgsm, bim, pgd, apgd, segpgd, sea, sea-pgd, square, targeted", () -> Attacks.parse("cw", Norm.LINF));
        assertMessage("eps", () -> Attacks.square(Norm.L2).eps(-1f));
        assertMessage("unknown norm 'l1'", () -> Norm.parse("l1"));
        assertMessage("unknown loss 'hinge'", () -> Attacks.pgd(Norm.LINF).objective("hinge"));
        assertMessage("target class 3", () -> Targets.everyPixel(labels, 3, 3));
        NDArray small = manager.zeros(new Shape(6, 8, 8));
        assertMessage("(6, 8, 8)", () -> Attacks.targeted(Norm.LINF).perturb(model, images, small));
        assertMessage("(6, 3, 16, 16)", () -> Attacks.targeted(Norm.LINF).perturb(model, images, small));
        assertEquals(Norm.LINF, Norm.parse("LInf"));
        // each name gives its preset: the defining settings, not only the name
        for (String name : Attacks.NAMES) {
            Norm norm = name.equals("square") ? Norm.LINF : Norm.L2; // square is L∞ only
            Attack a = Attacks.parse(name, norm);
            assertEquals(name, a.name());
            assertEquals(norm.toString(), ((BudgetedAttack) a).settings().get("norm"), name);
        }
        java.util.Map<String, Object> fgsm = Attacks.fgsm(Norm.L2).settings();
        assertEquals(List.of(1, 0.5f, false, false), List.of(fgsm.get("steps"), fgsm.get("step_size"), fgsm.get("random_start"), fgsm.get("keep_best")));
        java.util.Map<String, Object> pgd = ((GradientAttack) Attacks.parse("pgd", Norm.LINF)).settings();
        assertEquals(List.of(10, 2.5f * (8 / 255f) / 10, true, "ce"), List.of(pgd.get("steps"), pgd.get("step_size"), pgd.get("random_start"), pgd.get("loss")));
        assertEquals("balanced-ce", ((GradientAttack) Attacks.parse("segpgd", Norm.LINF)).objective().name());
        assertEquals("minimise", ((GradientAttack) Attacks.parse("targeted", Norm.LINF)).settings().get("direction"));
        assertEquals(List.of(4, 0.01f, 0.03f), List.of(((GradientAttack) Attacks.parse("bim", Norm.LINF)).steps(),
                ((GradientAttack) Attacks.parse("bim", Norm.LINF)).stepSize(), ((GradientAttack) Attacks.parse("bim", Norm.LINF)).eps()));
        assertEquals(List.of("masked-ce", "balanced-ce", "js", "masked-spherical"),
                ((Ensemble) Attacks.parse("sea", Norm.LINF)).members().stream().map(m -> ((GradientAttack) m).objective().name()).toList());
        // SEA as published: APGD, 300 steps, 2ε/1.5ε/ε, no random start; sea-pgd: today's PGD ensemble
        for (BudgetedAttack m : ((Ensemble) Attacks.parse("sea", Norm.LINF)).members()) {
            java.util.Map<String, Object> s = m.settings();
            assertEquals(List.of(300, false, "apgd", List.of(2f, 1.5f, 1f), 2 * 8 / 255f),
                    List.of(s.get("steps"), s.get("random_start"), s.get("schedule"), s.get("radii"), s.get("step_size")), m.name());
        }
        for (BudgetedAttack m : ((Ensemble) Attacks.parse("sea-pgd", Norm.LINF)).members()) {
            java.util.Map<String, Object> s = m.settings();
            assertEquals(List.of(10, true), List.of(s.get("steps"), s.get("random_start")), m.name());
            assertFalse(s.containsKey("schedule") || s.containsKey("radii"), m.name());
        }
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), "message '" + ex.getMessage() + "' should mention " + part);
    }
}
