package org.robustseg.attack;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
                Arguments.of(Attacks.sea(Norm.L2).eps(1f).steps(4), Norm.L2, 1f));
    }

    static double[] distances(Norm norm, NDArray adv) {
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

    @ParameterizedTest
    @MethodSource("norms")
    void restartsAreNeverWeakerPerImage(Norm norm) {
        GradientAttack pgd = Attacks.pgd(norm).eps(norm == Norm.LINF ? 4 / 255f : 0.5f).steps(3).seed(5);
        float[] one = pgd.perturb(model, images, labels).accuracy();
        float[] three = pgd.restarts(3).perturb(model, images, labels).accuracy();
        for (int i = 0; i < one.length; i++) {
            assertTrue(three[i] <= one[i], "image " + i + ": " + three[i] + " > " + one[i]);
        }
    }

    @Test
    void ensembleIsNeverWeakerPerImageThanAnyMember() {
        Ensemble sea = Attacks.sea(Norm.LINF).eps(4 / 255f).steps(3);
        AttackResult all = sea.perturb(model, images, labels);
        for (GradientAttack member : sea.members()) {
            AttackResult r = member.perturb(model, images, labels);
            for (int i = 0; i < r.accuracy().length; i++) {
                assertTrue(all.accuracy()[i] < r.accuracy()[i]
                        || all.accuracy()[i] == r.accuracy()[i] && all.loss()[i] >= r.loss()[i], member.name() + " image " + i);
            }
        }
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
        assertMessage("fgsm, bim, pgd, segpgd, sea, targeted", () -> Attacks.parse("cw", Norm.LINF));
        assertMessage("unknown norm 'l1'", () -> Norm.parse("l1"));
        assertMessage("unknown loss 'hinge'", () -> Attacks.pgd(Norm.LINF).loss("hinge"));
        assertMessage("target class 3", () -> Targets.everyPixel(labels, 3, 3));
        NDArray small = manager.zeros(new Shape(6, 8, 8));
        assertMessage("(6, 8, 8)", () -> Attacks.targeted(Norm.LINF).perturb(model, images, small));
        assertMessage("(6, 3, 16, 16)", () -> Attacks.targeted(Norm.LINF).perturb(model, images, small));
        assertEquals(Norm.LINF, Norm.parse("LInf"));
        for (String name : Attacks.NAMES) {
            assertEquals(name.equals("sea") ? "sea" : name, Attacks.parse(name, Norm.L2).name());
        }
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), "message '" + ex.getMessage() + "' should mention " + part);
    }
}
