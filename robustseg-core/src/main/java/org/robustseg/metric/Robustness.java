package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;
import org.robustseg.ProgressListener;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ImageStreams;

/**
 * Robustness curves: mIoU of a model under one attack at a series of budgets. Budget 0 is the
 * clean evaluation (no attack is run).
 *
 * <p>The unit of work is one batch ({@link #evaluateBatch}): every budget on its images, one
 * confusion matrix per image and budget ({@link ImagePoint}). A curve is the sum of its images'
 * matrices ({@link #curve}), so it is exact whatever order the batches ran in, and a batch can be
 * evaluated anywhere — in this process, or on a cluster node — and merged later. The attack draws
 * its random streams per image ({@link ImageStreams}, keyed by the image's id), never per batch.
 */
public final class Robustness {
    private Robustness() {}

    /**
     * One point of a curve.
     *
     * @param eps the budget (0 = clean)
     * @param metrics figures under attack at that budget
     */
    public record Point(float eps, SegmentationMetrics metrics) {}

    /**
     * One image at one budget.
     *
     * @param index the image's position in the data set
     * @param id the image's id
     * @param eps the budget (0 = clean)
     * @param confusion the image's own confusion matrix (valid pixels only)
     */
    public record ImagePoint(int index, String id, float eps, ConfusionMatrix confusion) {
        /** The image's own figures: its mIoU is the mean IoU over the classes in its labels or its prediction. */
        public SegmentationMetrics metrics() {
            return confusion.metrics();
        }
    }

    /** Evaluates {@code model} on {@code data} under {@code attack} at each budget in {@code eps}. */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack, List<Float> eps,
                                       int batchSize, ProgressListener progress) {
        return evaluate(model, data, attack, null, eps, batchSize, progress);
    }

    /**
     * Like {@link #evaluate(SegmentationModel, SegDataset, BudgetedAttack, List, int, ProgressListener)}
     * for a targeted attack: {@code target} turns each batch's true labels into the target map the
     * attack pursues (e.g. {@code y -> Targets.everyPixel(y, 0, C)}); metrics stay against the truth.
     */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack,
                                       UnaryOperator<NDArray> target, List<Float> eps, int batchSize,
                                       ProgressListener progress) {
        checkClasses(model, data);
        List<ImagePoint> points = new ArrayList<>();
        progress.start("attack " + data.name(), data.size());
        int first = 0;
        // closed explicitly: a failing batch must not leave the loader thread running
        try (BatchLoader.Batches batches = BatchLoader.sequential(data, batchSize).iterator()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                points.addAll(evaluateBatch(model, batch, first, attack, target, eps));
                first += batch.size();
                progress.advance(batch.size(), null);
            }
        }
        progress.finish();
        return curve(eps, model.numClasses(), points);
    }

    /** With defaults: batch 16, no progress output. */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack, List<Float> eps) {
        return evaluate(model, data, attack, eps, 16, ProgressListener.NONE);
    }

    /**
     * One batch at every budget: per budget (in {@code eps}'s order), per image (in batch order),
     * the image's confusion matrix. {@code firstIndex} is the data-set index of the batch's first
     * image. Each budget runs in its own NDManager, so memory stays flat however many there are.
     */
    public static List<ImagePoint> evaluateBatch(SegmentationModel model, Batch batch, int firstIndex, BudgetedAttack attack,
                                                 UnaryOperator<NDArray> target, List<Float> eps) {
        int classes = model.numClasses();
        int plane = batch.height() * batch.width();
        long[] keys = ImageStreams.keys(batch.ids());
        List<ImagePoint> points = new ArrayList<>();
        for (float e : eps) {
            try (NDManager m = model.manager().newSubManager()) {
                NDArray images = batch.images(m);
                NDArray labels = batch.labels(m);
                NDArray x = e == 0 ? images
                        : attack.eps(e).imageKeys(keys).perturb(model, images, target == null ? labels : target.apply(labels)).adversarial();
                int[] predicted = model.logits(x).argMax(1).toType(DataType.INT32, false).toIntArray();
                for (int i = 0; i < batch.size(); i++) {
                    ConfusionMatrix cm = new ConfusionMatrix(classes);
                    cm.add(Arrays.copyOfRange(predicted, i * plane, (i + 1) * plane),
                            Arrays.copyOfRange(batch.labelData(), i * plane, (i + 1) * plane));
                    points.add(new ImagePoint(firstIndex + i, batch.ids().get(i), e, cm));
                }
            }
        }
        return points;
    }

    /**
     * The curve at {@code eps} from per-image points: at each budget, the sum of the confusion
     * matrices of the points at that budget. Integer sums, so any order of the points gives the
     * same figures.
     */
    public static List<Point> curve(List<Float> eps, int classes, Collection<ImagePoint> points) {
        List<Point> curve = new ArrayList<>();
        for (float e : eps) {
            ConfusionMatrix sum = new ConfusionMatrix(classes);
            for (ImagePoint p : points) {
                if (Float.compare(p.eps(), e) == 0) {
                    sum.merge(p.confusion());
                }
            }
            curve.add(new Point(e, sum.metrics()));
        }
        return curve;
    }

    private static void checkClasses(SegmentationModel model, SegDataset data) {
        if (data.classes().size() != model.numClasses()) {
            throw new IllegalArgumentException("data set " + data.name() + " has " + data.classes().size()
                    + " classes but model " + model.name() + " predicts " + model.numClasses());
        }
    }
}
