package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.Norm;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.TinySegNet;

/**
 * Each flag on constructed figures, both ways; then the probe on a model whose input passes
 * through a quantisation (input gradient exactly 0: the white-box attacks cannot move) against
 * the same network without it.
 */
class GradientMaskingTest {

    @Test
    void blackBoxFlagFiresOnlyBeyondTheTolerance() {
        GradientMasking.Flag f = GradientMasking.blackBoxBeatsWhiteBox(new float[] {0.9f, 0.8f}, new float[] {0.85f, 0.8f}, 0.01);
        assertTrue(f.raised());
        assertEquals(List.of(0), f.figures().get("images"));
        assertTrue(f.evidence().contains("1 of 2 images; image 0"), f.evidence());
        assertFalse(GradientMasking.blackBoxBeatsWhiteBox(new float[] {0.9f, 0.8f}, new float[] {0.895f, 0.95f}, 0.01).raised());
    }

    @Test
    void curveFlagFiresWhenAccuracyRisesWithEps() {
        List<Float> eps = List.of(0f, 2 / 255f, 8 / 255f, 4 / 255f); // unsorted on purpose
        GradientMasking.Flag f = GradientMasking.accuracyRisesWithEps(eps, List.of(0.9, 0.7, 0.5, 0.8), 0.01);
        assertTrue(f.raised());
        assertTrue(f.evidence().contains("0.8000 at eps 0.0157"), f.evidence()); // 4/255 above 0.7 at 2/255
        assertFalse(GradientMasking.accuracyRisesWithEps(eps, List.of(0.9, 0.7, 0.5, 0.6), 0.01).raised());
        assertFalse(GradientMasking.accuracyRisesWithEps(eps, List.of(0.9, 0.7, 0.5, 0.705), 0.01).raised());
    }

    @Test
    void unboundedAndStepsFlags() {
        assertTrue(GradientMasking.unboundedAttackFails(0.3, 0.1).raised());
        assertFalse(GradientMasking.unboundedAttackFails(0.02, 0.1).raised());
        assertTrue(GradientMasking.moreStepsDoNotHelp(10, 0.5, 40, 0.6, 0.01).raised());
        assertFalse(GradientMasking.moreStepsDoNotHelp(10, 0.5, 40, 0.45, 0.01).raised());
        assertFalse(GradientMasking.moreStepsDoNotHelp(10, 0.5, 40, 0.505, 0.01).raised());
    }

    static List<GradientMasking.Flag> probe(String architecture) {
        try (SegmentationModel model = TinySegNet.trained(architecture, 1, 80); NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDList val = TinySegNet.scenes(m, 6, 999);
            float eps = 16 / 255f;
            GradientMasking.Probe p = new GradientMasking.Probe(Attacks.pgd(Norm.LINF).eps(eps), Attacks.square(Norm.LINF).queries(200).pInit(0.3f),
                    List.of(0f, 4 / 255f, 8 / 255f, eps), Attacks.pgd(Norm.LINF), 30, 0.01, 0.1);
            List<GradientMasking.Flag> flags = GradientMasking.probe(model, val.get(0), val.get(1), p);
            flags.forEach(f -> System.out.println(architecture + ": " + f));
            return flags;
        }
    }

    /** Zero input gradients: PGD does not move, Square does; even an unbounded PGD leaves accuracy high. */
    @Test
    void probeFlagsAQuantisedInput() {
        List<GradientMasking.Flag> flags = probe(TinySegNet.QUANTISED);
        assertEquals(List.of(GradientMasking.BLACK_BOX, GradientMasking.RISES_WITH_EPS, GradientMasking.UNBOUNDED, GradientMasking.MORE_STEPS),
                flags.stream().map(GradientMasking.Flag::name).toList());
        assertTrue(flags.get(0).raised(), flags.get(0).toString());
        assertTrue(flags.get(2).raised(), flags.get(2).toString());
    }

    /** The same network without the quantisation raises none of the four flags. */
    @Test
    void probeRaisesNothingOnAPlainModel() {
        for (GradientMasking.Flag f : probe(TinySegNet.NAME)) {
            assertFalse(f.raised(), f.toString());
        }
    }
}
