package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.robustseg.Fluent;
import org.robustseg.attack.Norm;
import org.robustseg.optim.ForwardMode;

/**
 * A training recipe and its options: the one place where the recipes' defaults and their
 * checks live. Recorded in provenance as part of {@link TrainConfig}, so a resumed run must use
 * the same recipe with the same options. Options a recipe does not use are null (and absent
 * from the JSON). Made by {@link #of(Recipe)} (all defaults) or {@link #builder(Recipe)}:
 * <pre>{@code
 * RecipeConfig pgdAt = RecipeConfig.builder(Recipe.PGD_AT).norm(Norm.LINF).eps(8 / 255f).steps(3).build();
 * }</pre>
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
 * Under {@code --step-rule apgd} (any recipe but fast-at) the step size defaults to 2·eps, APGD's
 * initial step, which it halves per image where the loss stalls.
 *
 * @param recipe the recipe (JSON "name", its {@link Recipe#id()})
 * @param norm the attack norm (null for standard)
 * @param eps perturbation budget of the inner maximisation
 * @param steps gradient steps of the inner maximisation (JSON "attack_steps")
 * @param stepSize size of one step
 * @param randomStart whether the inner maximisation starts uniformly in the ball
 * @param attackBn BatchNorm statistics used while crafting: TRAINING (see {@link AdversarialRecipe}),
 *     except TRADES, which crafts in EVAL as its authors do (see {@link TradesRecipe})
 * @param beta TRADES' weight of the KL term (trades only)
 * @param advShare fraction of each batch replaced by adversarial images (sat only)
 * @param stepRule the inner maximisation's step rule; null for {@link StepRule#FIXED} (absent from the JSON, so
 *     configurations recorded before APGD existed load and compare unchanged)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecipeConfig(
        @JsonProperty("name") Recipe recipe,
        @JsonProperty("norm") Norm norm,
        @JsonProperty("eps") Float eps,
        @JsonProperty("attack_steps") Integer steps,
        @JsonProperty("step_size") Float stepSize,
        @JsonProperty("random_start") Boolean randomStart,
        @JsonProperty("attack_bn") ForwardMode attackBn,
        @JsonProperty("beta") Float beta,
        @JsonProperty("adv_share") Float advShare,
        @JsonProperty("step_rule") StepRule stepRule) {

    /** A recipe's defaults; step size = stepFactor·eps/steps. */
    private record Defaults(float linfEps, float l2Eps, int steps, float stepFactor, boolean randomStart) {}

    private static Defaults defaultsOf(Recipe recipe) {
        return switch (recipe) {
            case PGD_AT, TRADES -> new Defaults(8 / 255f, 0.5f, 3, 2.5f, true);
            case SAT -> new Defaults(0.03f, 0.5f, 3, 1f, false);
            case ADVPROP -> new Defaults(4 / 255f, 0.25f, 3, 2.5f, true);
            case FAST_AT -> new Defaults(8 / 255f, 0.5f, 1, 1.25f, true);
            case STANDARD -> null; // no inner maximisation
        };
    }

    public RecipeConfig {
        if (recipe == null) {
            throw new IllegalArgumentException("unknown --recipe 'null' (known: " + String.join(", ", Recipe.ids()) + ")");
        }
        if (recipe.adversarial()) {
            if (norm == null) {
                throw new IllegalArgumentException("--norm: unknown norm 'null' (known: linf, l2)");
            }
            if (eps == null || !(eps >= 0) || eps.isInfinite()) {
                throw new IllegalArgumentException("--eps must be a finite number >= 0, got " + eps);
            }
            if (norm == Norm.LINF && eps > 1) {
                throw new IllegalArgumentException("--eps must be <= 1 for --norm linf (pixel values lie in [0,1]), got " + eps);
            }
            if (steps == null || steps < 1) {
                throw new IllegalArgumentException("--attack-steps must be at least 1, got " + steps);
            }
            if (recipe == Recipe.FAST_AT && steps != 1) {
                throw new IllegalArgumentException("--attack-steps must be 1 for --recipe fast-at (one FGSM step), got " + steps);
            }
            if (stepSize == null || !(stepSize >= 0) || stepSize.isInfinite()) {
                throw new IllegalArgumentException("--step-size must be a finite number >= 0, got " + stepSize);
            }
            if (randomStart == null) {
                throw new IllegalArgumentException("random_start missing for --recipe " + recipe);
            }
            // trades: EVAL is the authors' crafting; TRAINING the variant earlier runs used, kept so they resume
            boolean allowed = attackBn == ForwardMode.TRAINING || (recipe == Recipe.TRADES && attackBn == ForwardMode.EVAL);
            if (!allowed) {
                throw new IllegalArgumentException("attack_bn must be 'training'" + (recipe == Recipe.TRADES ? " or 'eval'" : "")
                        + " (the BatchNorm mode " + recipe + " crafts in), got " + (attackBn == null ? null : attackBn.id()));
            }
        } else if (norm != null || eps != null || steps != null || stepSize != null || randomStart != null || attackBn != null) {
            throw new IllegalArgumentException("--recipe standard has no attack options (--norm, --eps, --attack-steps, --step-size)");
        }
        if (stepRule == StepRule.FIXED) {
            stepRule = null; // one spelling of the default, so equal configurations compare equal
        }
        if (stepRule != null && (!recipe.adversarial() || recipe == Recipe.FAST_AT)) {
            throw new IllegalArgumentException("--step-rule " + stepRule + " does not apply to --recipe " + recipe
                    + (recipe == Recipe.FAST_AT ? " (one FGSM step)" : " (no inner maximisation)"));
        }
        if (recipe == Recipe.TRADES) {
            if (beta == null || !(beta >= 0) || beta.isInfinite()) {
                throw new IllegalArgumentException("--beta must be a finite number >= 0, got " + beta);
            }
        } else if (beta != null) {
            throw new IllegalArgumentException("--beta applies only to --recipe trades (got --recipe " + recipe + ")");
        }
        if (recipe == Recipe.SAT) {
            if (advShare == null || !(advShare >= 0 && advShare <= 1)) {
                throw new IllegalArgumentException("--adv-share must be in [0, 1], got " + advShare);
            }
        } else if (advShare != null) {
            throw new IllegalArgumentException("--adv-share applies only to --recipe sat (got --recipe " + recipe + ")");
        }
    }

    /** The recipe with all its defaults. */
    public static RecipeConfig of(Recipe recipe) {
        return builder(recipe).build();
    }

    /** A builder for the recipe, every option at the recipe's default until set. */
    public static Builder builder(Recipe recipe) {
        return new Builder(recipe);
    }

    /** True for every recipe with an inner maximisation. */
    public boolean adversarial() {
        return recipe.adversarial();
    }

    /** The inner maximisation's step rule (FIXED when none was recorded). */
    public StepRule rule() {
        return stepRule == null ? StepRule.FIXED : stepRule;
    }

    /**
     * The options of one recipe by name; each option left unset takes the recipe's default, and the
     * default step size follows the eps and steps actually used (e.g. 2.5·eps/steps for pgd-at).
     * An option the recipe does not use is an error naming it, raised by {@link #build()}. Immutable
     * ({@link Fluent}): each setter returns a modified copy.
     */
    public static final class Builder extends Fluent<Builder> {
        private final Recipe recipe;
        private Norm norm;
        private Float eps;
        private Integer steps;
        private Float stepSize;
        private Float beta;
        private Float advShare;
        private StepRule stepRule;

        private Builder(Recipe recipe) {
            this.recipe = java.util.Objects.requireNonNull(recipe, "recipe");
        }

        /** The attack norm (default LINF). */
        public Builder norm(Norm value) {
            java.util.Objects.requireNonNull(value, "norm");
            return with(b -> b.norm = value);
        }

        /** The perturbation budget (default per recipe and norm, see the table above). */
        public Builder eps(float value) {
            return with(b -> b.eps = value);
        }

        /** Gradient steps of the inner maximisation (default 3; fast-at exactly 1). */
        public Builder steps(int value) {
            return with(b -> b.steps = value);
        }

        /** Size of one attack step (default a multiple of eps/steps, see the table above). */
        public Builder stepSize(float value) {
            return with(b -> b.stepSize = value);
        }

        /** TRADES' weight of the KL term (default 6; trades only). */
        public Builder beta(float value) {
            return with(b -> b.beta = value);
        }

        /** SAT's fraction of each batch trained adversarially (default 0.5; sat only). */
        public Builder advShare(float value) {
            return with(b -> b.advShare = value);
        }

        /** The inner maximisation's step rule (default FIXED, PGD's; APGD for adaptive steps with momentum). */
        public Builder stepRule(StepRule value) {
            java.util.Objects.requireNonNull(value, "stepRule");
            return with(b -> b.stepRule = value);
        }

        /** The configuration, checked; errors name the command-line option at fault. */
        public RecipeConfig build() {
            Defaults d = defaultsOf(recipe);
            if (d == null) {
                String given = norm != null ? "--norm" : eps != null ? "--eps" : steps != null ? "--attack-steps"
                        : stepSize != null ? "--step-size" : null;
                if (given != null) {
                    throw new IllegalArgumentException(given + " applies only to adversarial recipes (got --recipe standard)");
                }
                if (stepRule != null && stepRule != StepRule.FIXED) {
                    throw new IllegalArgumentException("--step-rule applies only to adversarial recipes (got --recipe standard)");
                }
                return new RecipeConfig(recipe, null, null, null, null, null, null, beta, advShare, null);
            }
            Norm nm = norm == null ? Norm.LINF : norm;
            float e = eps != null ? eps : nm == Norm.LINF ? d.linfEps() : d.l2Eps();
            int n = steps != null ? steps : d.steps();
            float step = stepSize != null ? stepSize
                    : stepRule == StepRule.APGD ? StepRule.APGD.schedule().defaultStepSize(e, n) : d.stepFactor() * e / Math.max(1, n);
            return new RecipeConfig(recipe, nm, e, n, step, d.randomStart(),
                    recipe == Recipe.TRADES ? ForwardMode.EVAL : ForwardMode.TRAINING,
                    recipe == Recipe.TRADES && beta == null ? Float.valueOf(6f) : beta,
                    recipe == Recipe.SAT && advShare == null ? Float.valueOf(0.5f) : advShare, stepRule);
        }
    }
}
