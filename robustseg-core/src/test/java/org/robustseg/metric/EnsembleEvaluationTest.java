package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.Norm;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.TinySegNet;

/**
 * An ensemble scored member by member: the images it keeps are the ensemble's own, each member's
 * figures are that member's alone, and the curve reports it the way SEA does (aACC of the per-image
 * worst case, mIoU of the worst-case selection, never above the per-accuracy choice or any member).
 */
class EnsembleEvaluationTest {
    private static final ProgressListener QUIET = ProgressListener.NONE;

    @Test
    void scoringEveryMemberKeepsTheEnsemblesImagesAndReportsItAsSeaDoes() {
        try (SegmentationModel model = TinySegNet.trained(1, 80); NDManager m = NDManager.newBaseManager("PyTorch")) {
            SegDataset data = dataset(TinySegNet.scenes(m, 8, 777));
            float eps = 12 / 255f;
            Ensemble e = Attacks.seaPgd(Norm.LINF).steps(3).eps(eps).seed(5);
            Evaluator.EnsembleEvaluation ev = Evaluator.evaluateEnsemble(model, data, 4, e, QUIET);
            ImageMetrics viaPerturb = Evaluator.evaluateImages(model, data, 4, Robustness.perturbation(e, null), QUIET);
            assertArrayEquals(viaPerturb.imageAccuracy(), ev.worst().imageAccuracy(), 0.0);
            assertEquals(viaPerturb.confusion().meanIou(), ev.worst().confusion().meanIou(), 0.0);
            double[][] alone = new double[e.members().size()][];
            for (int k = 0; k < alone.length; k++) {
                alone[k] = Evaluator.evaluateImages(model, data, 4, Robustness.perturbation(e.members().get(k), null), QUIET)
                        .imageAccuracy();
                assertArrayEquals(alone[k], ev.members().get(k).imageAccuracy(), 0.0, "member " + k);
            }
            for (int i = 0; i < data.size(); i++) {
                for (double[] a : alone) {
                    assertTrue(ev.worst().imageAccuracy()[i] <= a[i], "image " + i + " is not the members' worst case");
                }
                assertEquals(alone[ev.choice()[i]][i], ev.worst().imageAccuracy()[i], 0.0);
            }

            Robustness.Point p = Robustness.evaluate(model, data, e, List.of(eps), 4, QUIET).get(0);
            assertNotNull(p.ensemble());
            assertEquals(List.of("sea-masked-ce", "sea-balanced-ce", "sea-js", "sea-masked-spherical"),
                    p.ensemble().members().stream().map(Robustness.Member::name).toList());
            assertEquals(ev.worst().confusion().pixelAccuracy(), p.metrics().pixelAccuracy(), 1e-12);
            assertTrue(p.metrics().miou() <= ev.worst().confusion().meanIou() + 1e-12);
            for (ImageMetrics member : ev.members()) {
                assertTrue(p.metrics().miou() <= member.confusion().meanIou() + 1e-12);
            }
            assertTrue(p.metrics().pixelAccuracy() < viaPerturb.confusion().pixelAccuracy() + 1e-12);
            // a single attack's point is unchanged: no ensemble figures, its metrics its confusion's
            Robustness.Point single = Robustness.evaluate(model, data, e.members().get(0), List.of(eps), 4, QUIET).get(0);
            assertEquals(null, single.ensemble());
            assertEquals(single.images().confusion().meanIou(), single.metrics().miou(), 0.0);
        }
    }

    /** The scenes as a data set of three classes. */
    private static SegDataset dataset(NDList scenes) {
        float[] images = scenes.get(0).toFloatArray();
        int[] labels = scenes.get(1).toType(DataType.INT32, false).toIntArray();
        int s = TinySegNet.SIZE;
        int n = labels.length / (s * s);
        return new SegDataset() {
            @Override
            public String name() {
                return "tiny";
            }

            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int i) {
                return new SegSample("img" + i, s, s, java.util.Arrays.copyOfRange(images, i * 3 * s * s, (i + 1) * 3 * s * s),
                        java.util.Arrays.copyOfRange(labels, i * s * s, (i + 1) * s * s));
            }

            @Override
            public ClassSet classes() {
                return new ClassSet(List.of("background", "a", "b"), new int[9]);
            }

            @Override
            public String contentHash() {
                return "tiny";
            }
        };
    }
}
