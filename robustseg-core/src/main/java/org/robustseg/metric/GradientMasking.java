package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.attack.SquareAttack;
import org.robustseg.model.SegmentationModel;

/**
 * Warning signs that a robustness figure comes from gradient masking rather than robustness
 * (Athalye, Carlini &amp; Wagner 2018; Carlini et al. 2019, "On evaluating adversarial
 * robustness"): a model whose input gradient is zero, noisy or misleading defeats every
 * white-box attack and looks robust. Four checks, each a named {@link Flag} with its evidence:
 * <ol>
 *   <li>{@value #BLACK_BOX}: a black-box attack (forward passes only) leaves an image with lower
 *       accuracy than the white-box attacks did — it cannot be stronger unless the gradient misleads;
 *   <li>{@value #RISES_WITH_EPS}: robust accuracy rises as the budget grows, although a larger
 *       ball contains the smaller one;
 *   <li>{@value #UNBOUNDED}: an attack with an unbounded budget (L∞ eps 1: any image) does not bring
 *       accuracy near 0;
 *   <li>{@value #MORE_STEPS}: more iterations of the same attack give a higher accuracy.
 * </ol>
 * The checks on figures are plain functions (so a report can apply them to figures it has);
 * {@link #probe} runs the attacks they need on one batch.
 */
public final class GradientMasking {
    public static final String BLACK_BOX = "black-box-beats-white-box";
    public static final String RISES_WITH_EPS = "accuracy-rises-with-eps";
    public static final String UNBOUNDED = "unbounded-attack-fails";
    public static final String MORE_STEPS = "more-steps-do-not-help";

    private GradientMasking() {}

    /**
     * One check's outcome.
     *
     * @param name one of the constants of this class
     * @param raised whether the warning sign is present
     * @param evidence one line saying what was compared and what was seen
     * @param figures the numbers behind it, for robustness.json
     */
    public record Flag(String name, boolean raised, String evidence, Map<String, Object> figures) {
        @Override
        public String toString() {
            return (raised ? "FLAG " : "ok   ") + name + ": " + evidence;
        }
    }

    /**
     * (a) Per image, the black-box accuracy below the white-box one by more than {@code tolerance}
     * (a fraction of the image's pixels; a pixel or two of luck is not a warning).
     */
    public static Flag blackBoxBeatsWhiteBox(float[] whiteBox, float[] blackBox, double tolerance) {
        if (whiteBox.length != blackBox.length) {
            throw new IllegalArgumentException("per-image accuracies of different lengths: " + whiteBox.length + " vs " + blackBox.length);
        }
        List<Integer> images = new ArrayList<>();
        int worst = -1;
        for (int i = 0; i < whiteBox.length; i++) {
            if (blackBox[i] < whiteBox[i] - tolerance) {
                images.add(i);
                if (worst < 0 || whiteBox[i] - blackBox[i] > whiteBox[worst] - blackBox[worst]) {
                    worst = i;
                }
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("images", images);
        f.put("tolerance", tolerance);
        f.put("white_box_accuracy", whiteBox.clone());
        f.put("black_box_accuracy", blackBox.clone());
        String evidence = images.isEmpty()
                ? "the black-box attack beat the white-box attacks on no image (tolerance " + fmt(tolerance) + ")"
                : String.format(Locale.ROOT, "the black-box attack beat the white-box attacks on %d of %d images; image %d: %s vs %s",
                        images.size(), whiteBox.length, worst, fmt(blackBox[worst]), fmt(whiteBox[worst]));
        return new Flag(BLACK_BOX, !images.isEmpty(), evidence, f);
    }

    /**
     * (b) Along a curve, the accuracy at some budget above the lowest accuracy at any smaller budget
     * by more than {@code tolerance}. Budgets need not be sorted.
     */
    public static Flag accuracyRisesWithEps(List<Float> eps, List<Double> accuracy, double tolerance) {
        if (eps.size() != accuracy.size()) {
            throw new IllegalArgumentException(eps.size() + " budgets but " + accuracy.size() + " accuracies");
        }
        Integer[] order = new Integer[eps.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(eps.get(a), eps.get(b)));
        double lowest = Double.POSITIVE_INFINITY;
        float lowestAt = Float.NaN;
        String evidence = null;
        for (int i : order) {
            double acc = accuracy.get(i);
            if (evidence == null && acc > lowest + tolerance) {
                evidence = String.format(Locale.ROOT, "accuracy %s at eps %s is above %s at the smaller eps %s",
                        fmt(acc), fmt(eps.get(i)), fmt(lowest), fmt(lowestAt));
            }
            if (acc < lowest) {
                lowest = acc;
                lowestAt = eps.get(i);
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("eps", List.copyOf(eps));
        f.put("accuracy", List.copyOf(accuracy));
        f.put("tolerance", tolerance);
        return new Flag(RISES_WITH_EPS, evidence != null,
                evidence != null ? evidence : "accuracy never rises with eps (tolerance " + fmt(tolerance) + ")", f);
    }

    /** (c) Accuracy under an unbounded attack above {@code nearZero}. */
    public static Flag unboundedAttackFails(double accuracy, double nearZero) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("accuracy", accuracy);
        f.put("near_zero", nearZero);
        boolean raised = accuracy > nearZero;
        return new Flag(UNBOUNDED, raised, String.format(Locale.ROOT, "an unbounded attack leaves accuracy %s (%s %s)",
                fmt(accuracy), raised ? "above" : "at most", fmt(nearZero)), f);
    }

    /** (d) Accuracy after {@code manySteps} above that after {@code fewSteps} by more than {@code tolerance}. */
    public static Flag moreStepsDoNotHelp(int fewSteps, double fewAccuracy, int manySteps, double manyAccuracy, double tolerance) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("few_steps", fewSteps);
        f.put("few_steps_accuracy", fewAccuracy);
        f.put("many_steps", manySteps);
        f.put("many_steps_accuracy", manyAccuracy);
        f.put("tolerance", tolerance);
        boolean raised = manyAccuracy > fewAccuracy + tolerance;
        return new Flag(MORE_STEPS, raised, String.format(Locale.ROOT, "%d steps: accuracy %s, %d steps: %s", fewSteps,
                fmt(fewAccuracy), manySteps, fmt(manyAccuracy)), f);
    }

    /**
     * What {@link #probe} runs.
     *
     * @param whiteBox the white-box attack whose figures are checked (e.g. SEA or PGD), at its eps; L∞ or L2
     * @param blackBox the black-box attack of check (a), run at the white-box attack's eps, in its norm
     * @param curve budgets of check (b), run with {@code whiteBox}
     * @param iterative the attack of checks (c) and (d): run at L∞ eps 1 (L2: eps 1000) for (c), and at
     *     its steps and at {@code moreSteps} for (d)
     * @param moreSteps the larger number of steps of check (d)
     * @param tolerance accuracy differences up to this are not warnings (checks a, b, d)
     * @param nearZero the accuracy an unbounded attack must reach (check c)
     */
    public record Probe(BudgetedAttack whiteBox, SquareAttack blackBox, List<Float> curve, GradientAttack iterative,
                        int moreSteps, double tolerance, double nearZero) {
        public Probe {
            Objects.requireNonNull(whiteBox, "whiteBox");
            Objects.requireNonNull(blackBox, "blackBox");
            Objects.requireNonNull(iterative, "iterative");
            curve = List.copyOf(curve);
        }

        /**
         * Checks around {@code whiteBox}: Square with 1000 queries, the curve 0, eps/4, eps/2, eps,
         * PGD with its 10 steps against 40, tolerance 0.01, near zero meaning at most 0.1.
         */
        public static Probe around(BudgetedAttack whiteBox) {
            float e = whiteBox.eps();
            return new Probe(whiteBox, Attacks.square(whiteBox.norm()), List.of(0f, e / 4, e / 2, e),
                    Attacks.pgd(whiteBox.norm()), 40, 0.01, 0.1);
        }
    }

    /** Runs the probe's attacks on one batch and returns the four flags, in the order (a)–(d). */
    public static List<Flag> probe(SegmentationModel model, NDArray images, NDArray labels, Probe p) {
        if (p.whiteBox().norm() != p.blackBox().norm()) {
            throw new IllegalArgumentException("the masking probe compares attacks of one norm: the Square attack is "
                    + p.blackBox().norm() + ", the white-box attack "
                    + p.whiteBox().norm());
        }
        float[] white = accuracy(p.whiteBox(), model, images, labels);
        float[] black = accuracy(p.blackBox().eps(p.whiteBox().eps()), model, images, labels);
        List<Double> curve = new ArrayList<>();
        for (float e : p.curve()) {
            curve.add(mean(accuracy(p.whiteBox().eps(e), model, images, labels)));
        }
        List<Flag> iterative = iterativeChecks(model, images, labels, p.iterative().eps(p.whiteBox().eps()), p.moreSteps(),
                p.tolerance(), p.nearZero());
        return List.of(
                blackBoxBeatsWhiteBox(white, black, p.tolerance()),
                accuracyRisesWithEps(p.curve(), curve, p.tolerance()),
                iterative.get(0),
                iterative.get(1));
    }

    /**
     * Checks (c) and (d) on one batch, for callers that have the figures of (a) and (b) already
     * (the compare table): {@code attack} at an unbounded budget (L∞ eps 1, L2 eps 1000), and at
     * its own eps with its steps and with {@code moreSteps}.
     */
    public static List<Flag> iterativeChecks(SegmentationModel model, NDArray images, NDArray labels, GradientAttack attack,
                                             int moreSteps, double tolerance, double nearZero) {
        float unboundedEps = attack.norm() == Norm.LINF ? 1f : 1000f;
        double unbounded = mean(accuracy(attack.eps(unboundedEps), model, images, labels));
        double few = mean(accuracy(attack, model, images, labels));
        double many = mean(accuracy(attack.steps(moreSteps), model, images, labels));
        return List.of(unboundedAttackFails(unbounded, nearZero), moreStepsDoNotHelp(attack.steps(), few, moreSteps, many, tolerance));
    }

    /** The attack's per-image accuracy; its adversarial images are freed at once. */
    private static float[] accuracy(BudgetedAttack attack, SegmentationModel model, NDArray images, NDArray labels) {
        org.robustseg.attack.AttackResult r = attack.perturb(model, images, labels);
        r.adversarial().close();
        return r.accuracy();
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / Math.max(1, v.length);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
