package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import org.robustseg.attack.Norm;

/**
 * A training recipe and its options: the one place where recipe names, their defaults and their
 * checks live. Recorded in provenance as part of {@link TrainConfig}, so a resumed run must use
 * the same recipe with the same options. Options a recipe does not use are null.
 *
 * <p>Defaults (L∞ eps in pixel units; with {@code --norm l2} the eps default is 0.5, 0.25 for
 * advprop):
 * <pre>
 * recipe    eps     steps  step size      random start  other
 * pgd-at    8/255   3      2.5·eps/steps  yes           (Madry et al.; few steps for CPU budgets)
 * sat       0.03    3      eps/steps      no            adv share 0.5 (BIM, the study's recipe)
 * advprop   4/255   3      2.5·eps/steps  yes           (small eps: AdvProp aims at clean accuracy)
 * trades    8/255   3      2.5·eps/steps  yes           beta 6 (random start: KL's gradient is 0 at x0)
 * fast-at   8/255   1      1.25·eps       yes           (Wong et al.; exactly one step)
 * </pre>
 *
 * @param name recipe name, one of {@link #NAMES}
 * @param norm "linf" or "l2" (null for standard)
 * @param eps perturbation budget of the inner maximisation
 * @param attackSteps gradient steps of the inner maximisation
 * @param stepSize size of one step
 * @param randomStart whether the inner maximisation starts uniformly in the ball
 * @param attackBn BatchNorm statistics used while crafting: "training" (see {@link AdversarialRecipe}),
 *     except TRADES, which crafts in "eval" as its authors do (see {@link TradesRecipe})
 * @param beta TRADES' weight of the KL term (trades only)
 * @param advShare fraction of each batch replaced by adversarial images (sat only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecipeConfig(
        @JsonProperty("name") String name,
        @JsonProperty("norm") String norm,
        @JsonProperty("eps") Float eps,
        @JsonProperty("attack_steps") Integer attackSteps,
        @JsonProperty("step_size") Float stepSize,
        @JsonProperty("random_start") Boolean randomStart,
        @JsonProperty("attack_bn") String attackBn,
        @JsonProperty("beta") Float beta,
        @JsonProperty("adv_share") Float advShare) {

    public static final String STANDARD = "standard";
    public static final String PGD_AT = "pgd-at";
    public static final String SAT = "sat";
    public static final String ADVPROP = "advprop";
    public static final String TRADES = "trades";
    public static final String FAST_AT = "fast-at";

    /** The recipe names {@code --recipe} accepts. */
    public static final List<String> NAMES = List.of(STANDARD, PGD_AT, SAT, ADVPROP, TRADES, FAST_AT);

    /** A recipe's defaults; step size = stepFactor·eps/steps. */
    private record Defaults(float linfEps, float l2Eps, int steps, float stepFactor, boolean randomStart) {}

    private static Defaults defaultsOf(String name) {
        return switch (name) {
            case PGD_AT, TRADES -> new Defaults(8 / 255f, 0.5f, 3, 2.5f, true);
            case SAT -> new Defaults(0.03f, 0.5f, 3, 1f, false);
            case ADVPROP -> new Defaults(4 / 255f, 0.25f, 3, 2.5f, true);
            case FAST_AT -> new Defaults(8 / 255f, 0.5f, 1, 1.25f, true);
            default -> null; // standard: no inner maximisation
        };
    }

    public RecipeConfig {
        name = parseName(name);
        boolean adversarial = !name.equals(STANDARD);
        if (adversarial) {
            norm = parseNorm(norm).toString();
            if (eps == null || !(eps >= 0) || eps.isInfinite()) {
                throw new IllegalArgumentException("--eps must be a finite number >= 0, got " + eps);
            }
            if (norm.equals("linf") && eps > 1) {
                throw new IllegalArgumentException("--eps must be <= 1 for --norm linf (pixel values lie in [0,1]), got " + eps);
            }
            if (attackSteps == null || attackSteps < 1) {
                throw new IllegalArgumentException("--attack-steps must be at least 1, got " + attackSteps);
            }
            if (name.equals(FAST_AT) && attackSteps != 1) {
                throw new IllegalArgumentException("--attack-steps must be 1 for --recipe fast-at (one FGSM step), got " + attackSteps);
            }
            if (stepSize == null || !(stepSize >= 0) || stepSize.isInfinite()) {
                throw new IllegalArgumentException("--step-size must be a finite number >= 0, got " + stepSize);
            }
            if (randomStart == null) {
                throw new IllegalArgumentException("random_start missing for --recipe " + name);
            }
            // trades: "eval" is the authors' crafting; "training" the variant earlier runs used, kept so they resume
            boolean allowed = "training".equals(attackBn) || (name.equals(TRADES) && "eval".equals(attackBn));
            if (!allowed) {
                throw new IllegalArgumentException("attack_bn must be 'training'" + (name.equals(TRADES) ? " or 'eval'" : "")
                        + " (the BatchNorm mode " + name + " crafts in), got " + attackBn);
            }
        } else if (norm != null || eps != null || attackSteps != null || stepSize != null || randomStart != null || attackBn != null) {
            throw new IllegalArgumentException("--recipe standard has no attack options (--norm, --eps, --attack-steps, --step-size)");
        }
        if (name.equals(TRADES)) {
            if (beta == null || !(beta >= 0) || beta.isInfinite()) {
                throw new IllegalArgumentException("--beta must be a finite number >= 0, got " + beta);
            }
        } else if (beta != null) {
            throw new IllegalArgumentException("--beta applies only to --recipe trades (got --recipe " + name + ")");
        }
        if (name.equals(SAT)) {
            if (advShare == null || !(advShare >= 0 && advShare <= 1)) {
                throw new IllegalArgumentException("--adv-share must be in [0, 1], got " + advShare);
            }
        } else if (advShare != null) {
            throw new IllegalArgumentException("--adv-share applies only to --recipe sat (got --recipe " + name + ")");
        }
    }

    /** The recipe {@code name} with all its defaults. */
    public static RecipeConfig of(String name) {
        return resolve(name, null, null, null, null, null, null);
    }

    /**
     * The recipe {@code name} with the given options; null means the recipe's default. An option
     * the recipe does not use is an error naming it. The default step size follows the eps and
     * steps actually used (e.g. 2.5·eps/steps for pgd-at).
     */
    public static RecipeConfig resolve(String name, String norm, Float eps, Integer attackSteps, Float stepSize,
            Float beta, Float advShare) {
        String n = parseName(name);
        Defaults d = defaultsOf(n);
        if (d == null) {
            String given = norm != null ? "--norm" : eps != null ? "--eps" : attackSteps != null ? "--attack-steps"
                    : stepSize != null ? "--step-size" : null;
            if (given != null) {
                throw new IllegalArgumentException(given + " applies only to adversarial recipes (got --recipe standard)");
            }
            return new RecipeConfig(n, null, null, null, null, null, null, beta, advShare);
        }
        Norm nm = norm == null ? Norm.LINF : parseNorm(norm);
        float e = eps != null ? eps : nm == Norm.LINF ? d.linfEps() : d.l2Eps();
        int steps = attackSteps != null ? attackSteps : d.steps();
        float step = stepSize != null ? stepSize : d.stepFactor() * e / Math.max(1, steps);
        return new RecipeConfig(n, nm.toString(), e, steps, step, d.randomStart(), n.equals(TRADES) ? "eval" : "training",
                n.equals(TRADES) && beta == null ? Float.valueOf(6f) : beta,
                n.equals(SAT) && advShare == null ? Float.valueOf(0.5f) : advShare);
    }

    /** The attack norm (only for adversarial recipes). */
    public Norm attackNorm() {
        return Norm.parse(norm);
    }

    /** True for every recipe with an inner maximisation. */
    public boolean adversarial() {
        return !name.equals(STANDARD);
    }

    private static Norm parseNorm(String norm) {
        try {
            return Norm.parse(norm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--norm: " + e.getMessage(), e);
        }
    }

    private static String parseName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown --recipe '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        return n;
    }
}
