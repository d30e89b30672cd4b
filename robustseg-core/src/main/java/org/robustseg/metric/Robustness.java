package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.robustseg.ProgressListener;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;

/**
 * Robustness curves: mIoU of a model under one attack at a series of budgets. Budget 0 is the
 * clean evaluation (no attack is run). Every point is a full {@link Evaluator} pass, so clean
 * and attacked figures come from the same code.
 */
public final class Robustness {
    private Robustness() {}

    /**
     * One point of a curve.
     *
     * @param eps the budget (0 = clean)
     * @param metrics figures under attack at that budget
     * @param images per-image and per-object figures of the same evaluation
     * @param seconds wall time of the evaluation (attack and scoring)
     */
    public record Point(float eps, SegmentationMetrics metrics, ImageMetrics images, double seconds) {}

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
        List<Point> curve = new ArrayList<>();
        for (float e : eps) {
            Evaluator.InputPerturbation perturbation = e == 0 ? null : perturbation(attack.eps(e), target);
            long t0 = System.nanoTime();
            ImageMetrics figures = Evaluator.evaluateImages(model, data, batchSize, perturbation, progress);
            curve.add(new Point(e, figures.confusion().metrics(), figures, (System.nanoTime() - t0) / 1e9));
        }
        return curve;
    }

    /** With defaults: batch 16, no progress output. */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack, List<Float> eps) {
        return evaluate(model, data, attack, eps, 16, ProgressListener.NONE);
    }

    /** An attack as an evaluation perturbation, untargeted ({@code target} null) or towards {@code target(labels)}. */
    public static Evaluator.InputPerturbation perturbation(BudgetedAttack attack, UnaryOperator<NDArray> target) {
        return (model, images, labels, manager) ->
                attack.perturb(model, images, target == null ? labels : target.apply(labels)).adversarial();
    }
}
