package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.robustseg.ProgressListener;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
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
     * @param metrics figures under attack at that budget; for an ensemble as SEA reports them (see
     *     {@link #evaluate}): pixel accuracy from the per-image worst case, mIoU and per-class IoU
     *     from the worst-case selection of {@link WorstCaseMiou}
     * @param images per-image and per-object figures of the same evaluation (for an ensemble: of the
     *     per-image worst case by accuracy, the images the ensemble returns)
     * @param seconds wall time of the evaluation (attack and scoring)
     * @param ensemble an ensemble's members' own figures and its per-image choice; null for a single attack
     */
    public record Point(float eps, SegmentationMetrics metrics, ImageMetrics images, double seconds, Members ensemble) {
        public Point(float eps, SegmentationMetrics metrics, ImageMetrics images, double seconds) {
            this(eps, metrics, images, seconds, null);
        }

        /**
         * The figures on the images at {@code indices} alone (null: all): a single attack's from its
         * per-image results; an ensemble's as SEA reports them, the worst-case mIoU chosen anew on those images.
         */
        public SegmentationMetrics on(int[] indices) {
            if (indices == null && ensemble == null) {
                return metrics;
            }
            ConfusionMatrix byAccuracy = indices == null ? images.confusion() : images.confusion(indices);
            if (ensemble == null) {
                return byAccuracy.metrics();
            }
            WorstCaseMiou.Selection s = WorstCaseMiou.select(ensemble.members().stream().map(m -> m.point().images()).toList(),
                    ensemble.choice(), indices);
            SegmentationMetrics worst = s.confusion().metrics();
            return new SegmentationMetrics(worst.miou(), byAccuracy.pixelAccuracy(), worst.perClassIou(), byAccuracy.total());
        }
    }

    /** An ensemble member's figures: its name and its own point. */
    public record Member(String name, Point point) {}

    /**
     * An ensemble's members and, per image, the member whose result the ensemble keeps.
     *
     * @param members every member's own figures, in the ensemble's order
     * @param choice per image, the index of the member kept (lowest accuracy, then highest loss)
     */
    public record Members(List<Member> members, int[] choice) {}

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
            if (e > 0 && target == null && attack instanceof Ensemble ensemble) {
                curve.add(ensemblePoint(model, data, ensemble.eps(e), batchSize, progress));
                continue;
            }
            Evaluator.InputPerturbation perturbation = e == 0 ? null : perturbation(attack.eps(e), target);
            long t0 = System.nanoTime();
            ImageMetrics figures = Evaluator.evaluateImages(model, data, batchSize, perturbation, progress);
            curve.add(new Point(e, figures.confusion().metrics(), figures, (System.nanoTime() - t0) / 1e9));
        }
        return curve;
    }

    /**
     * An ensemble scored member by member ({@link Evaluator#evaluateEnsemble}), reported as SEA
     * (Croce, Singh &amp; Hein 2023) reports it: pixel accuracy (aACC) from the per-image worst case,
     * the images the ensemble returns; mIoU from a per-image choice among the members that minimises
     * the data-set mIoU ({@link WorstCaseMiou}), never above the per-accuracy choice or any member.
     */
    static Point ensemblePoint(SegmentationModel model, SegDataset data, Ensemble ensemble, int batchSize, ProgressListener progress) {
        long t0 = System.nanoTime();
        Evaluator.EnsembleEvaluation ev = Evaluator.evaluateEnsemble(model, data, batchSize, ensemble, progress);
        List<Member> members = new ArrayList<>();
        for (int k = 0; k < ev.members().size(); k++) {
            ImageMetrics m = ev.members().get(k);
            members.add(new Member(ensemble.members().get(k).name(),
                    new Point(ensemble.eps(), m.confusion().metrics(), m, ev.memberSeconds()[k])));
        }
        Point shell = new Point(ensemble.eps(), ev.worst().confusion().metrics(), ev.worst(), (System.nanoTime() - t0) / 1e9,
                new Members(members, ev.choice()));
        return new Point(shell.eps(), shell.on(null), shell.images(), shell.seconds(), shell.ensemble());
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
