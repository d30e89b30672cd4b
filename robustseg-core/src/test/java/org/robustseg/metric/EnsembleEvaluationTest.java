package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.Norm;
import org.robustseg.batch.Batch;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ImageStreams;
import org.robustseg.optim.TinySegNet;

/**
 * An ensemble scored member by member: the images it keeps are the ensemble's own, each member's
 * figures are that member's alone, and the curve reports it the way SEA does (aACC of the per-image
 * worst case, mIoU of the worst-case selection, never above the per-accuracy choice or any member).
 * Batches evaluated one by one and merged in any order give the in-process curve to the last bit.
 */
class EnsembleEvaluationTest {
    private static final ProgressListener QUIET = ProgressListener.NONE;

    @Test
    void scoringEveryMemberKeepsTheEnsemblesImagesAndReportsItAsSeaDoes() {
        try (SegmentationModel model = TinySegNet.trained(1, 80); NDManager m = NDManager.newBaseManager("PyTorch")) {
            SegDataset data = dataset(TinySegNet.scenes(m, 8, 777));
            float eps = 12 / 255f;
            Ensemble e = Attacks.seaPgd(Norm.LINF).steps(3).eps(eps).seed(5);
            Robustness.Point p = Robustness.evaluate(model, data, e, List.of(eps), 4, QUIET).get(0);
            assertNotNull(p.ensemble());
            // the images kept are those Ensemble.perturb returns, with the same per-image streams
            ImageMetrics viaPerturb = ImageMetrics.of(data.classes());
            for (int first = 0; first < data.size(); first += 4) {
                Batch b = batch(data, first, 4);
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray adv = e.imageKeys(ImageStreams.keys(b.ids())).perturb(model, b.images(step), b.labels(step)).adversarial();
                    viaPerturb.add(model.logits(adv), b.labels(step));
                }
            }
            assertArrayEquals(viaPerturb.imageAccuracy(), p.images().imageAccuracy(), 0.0);
            assertEquals(viaPerturb.confusion().meanIou(), p.images().confusion().meanIou(), 0.0);
            List<Robustness.Member> members = p.ensemble().members();
            double[][] alone = new double[e.members().size()][];
            for (int k = 0; k < alone.length; k++) {
                alone[k] = Robustness.evaluate(model, data, e.members().get(k), List.of(eps), 4, QUIET).get(0).images().imageAccuracy();
                assertArrayEquals(alone[k], members.get(k).point().images().imageAccuracy(), 0.0, "member " + k);
            }
            for (int i = 0; i < data.size(); i++) {
                for (double[] a : alone) {
                    assertTrue(p.images().imageAccuracy()[i] <= a[i], "image " + i + " is not the members' worst case");
                }
                assertEquals(alone[p.ensemble().choice()[i]][i], p.images().imageAccuracy()[i], 0.0);
            }

            assertEquals(List.of("sea-masked-ce", "sea-balanced-ce", "sea-js", "sea-masked-spherical"),
                    members.stream().map(Robustness.Member::name).toList());
            assertEquals(p.images().confusion().pixelAccuracy(), p.metrics().pixelAccuracy(), 1e-12);
            assertTrue(p.metrics().miou() <= p.images().confusion().meanIou() + 1e-12);
            for (Robustness.Member member : members) {
                assertTrue(p.metrics().miou() <= member.point().images().confusion().meanIou() + 1e-12);
            }
            // a single attack's point is unchanged: no ensemble figures, its metrics its confusion's
            Robustness.Point single = Robustness.evaluate(model, data, e.members().get(0), List.of(eps), 4, QUIET).get(0);
            assertEquals(null, single.ensemble());
            assertEquals(single.images().confusion().meanIou(), single.metrics().miou(), 0.0);
        }
    }

    /**
     * The batch unit a cluster runs: batches evaluated on their own (here in reverse order, the
     * points shuffled, predicted maps dropped as when they travel) and merged by
     * {@link Robustness#curve} give the in-process curve to the last bit: clean, a single attack
     * and the ensemble, data-set, per-image, per-object and member figures alike.
     */
    @Test
    void batchesMergedInAnyOrderGiveTheInProcessCurveBitForBit() {
        try (SegmentationModel model = TinySegNet.trained(1, 80); NDManager m = NDManager.newBaseManager("PyTorch")) {
            SegDataset data = dataset(TinySegNet.scenes(m, 5, 778)); // 2 + 2 + 1: a short last batch
            List<Float> eps = List.of(0f, 8 / 255f);
            for (BudgetedAttack attack : List.<BudgetedAttack>of(Attacks.seaPgd(Norm.LINF).steps(1).seed(3),
                    Attacks.pgd(Norm.LINF).steps(1).seed(3))) {
                List<Robustness.Point> inProcess = Robustness.evaluate(model, data, attack, eps, 2, QUIET);
                List<Robustness.ImagePoint> points = new ArrayList<>();
                for (int first = 4; first >= 0; first -= 2) {
                    for (Robustness.ImagePoint ip : Robustness.evaluateBatch(model, data.classes(), batch(data, first, 2), first, attack,
                            null, eps)) {
                        points.add(ip.withoutPredictions());
                    }
                }
                java.util.Collections.shuffle(points, new java.util.Random(1));
                List<Robustness.Point> merged = Robustness.curve(attack, null, eps, data.classes(), points);
                for (int b = 0; b < eps.size(); b++) {
                    Robustness.Point x = inProcess.get(b);
                    Robustness.Point y = merged.get(b);
                    assertEquals(x.metrics(), y.metrics(), "eps " + eps.get(b));
                    assertEquals(x.images().figures(5, i -> "img" + i), y.images().figures(5, i -> "img" + i));
                    assertEquals(x.ensemble() == null, y.ensemble() == null);
                    if (x.ensemble() != null) {
                        assertArrayEquals(x.ensemble().choice(), y.ensemble().choice());
                        for (int k = 0; k < x.ensemble().members().size(); k++) {
                            Robustness.Point a = x.ensemble().members().get(k).point();
                            Robustness.Point c = y.ensemble().members().get(k).point();
                            assertEquals(a.metrics(), c.metrics(), "member " + k);
                            assertEquals(a.images().figures(5, i -> "img" + i), c.images().figures(5, i -> "img" + i));
                        }
                    }
                }
                assertNotNull(inProcess.get(1).images().worstPrediction(inProcess.get(1).images().worst(1).get(0).index()),
                        "in process, the worst images' maps are kept");
                // an image missing is an error, not a smaller data set
                List<Robustness.ImagePoint> gap = points.stream().filter(ip -> ip.index() != 3).toList();
                assertThrows(IllegalArgumentException.class, () -> Robustness.curve(attack, null, eps, data.classes(), gap));
            }
        }
    }

    /** Images {@code first}.. of {@code data}, at most {@code size}, as one batch. */
    private static Batch batch(SegDataset data, int first, int size) {
        List<SegSample> samples = new ArrayList<>();
        for (int i = first; i < Math.min(data.size(), first + size); i++) {
            samples.add(data.get(i));
        }
        return Batch.of(samples);
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
