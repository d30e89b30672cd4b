package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import org.robustseg.attack.Norm;

/**
 * A training recipe and its options, recorded in provenance (and checked on resume).
 *
 * @param name standard, pgd-at, sat, trades or fast-at
 * @param norm threat model of the training attack
 * @param eps training attack budget (pixel units)
 * @param attackSteps iterations of the training attack
 * @param stepSize step size of the training attack
 * @param beta TRADES weight of the KL term
 * @param advShare SAT: fraction of each batch replaced by adversarial examples
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecipeConfig(
        @JsonProperty("name") String name,
        @JsonProperty("norm") String norm,
        @JsonProperty("eps") Float eps,
        @JsonProperty("attack_steps") Integer attackSteps,
        @JsonProperty("step_size") Float stepSize,
        @JsonProperty("beta") Float beta,
        @JsonProperty("adv_share") Float advShare) {

    /** The recipe names {@code --recipe} accepts. */
    public static final List<String> NAMES = List.of("standard", "pgd-at", "sat", "trades", "fast-at");

    public RecipeConfig {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown --recipe '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        if (eps != null && (!(eps >= 0) || "linf".equals(norm) && eps > 1)) {
            throw new IllegalArgumentException("--eps must be in [0,1] for linf and >= 0 for l2, got " + eps);
        }
        if (attackSteps != null && attackSteps < 1) {
            throw new IllegalArgumentException("--attack-steps must be at least 1, got " + attackSteps);
        }
        if (stepSize != null && !(stepSize > 0)) {
            throw new IllegalArgumentException("--step-size must be positive, got " + stepSize);
        }
        if (beta != null && !(beta >= 0)) {
            throw new IllegalArgumentException("--beta must be >= 0, got " + beta);
        }
        if (advShare != null && !(advShare > 0 && advShare <= 1)) {
            throw new IllegalArgumentException("--adv-share must be in (0,1], got " + advShare);
        }
    }

    public static RecipeConfig standard() {
        return new RecipeConfig("standard", null, null, null, null, null, null);
    }

    /**
     * The recipe {@code name} with its defaults, overridden by any non-null argument.
     * Defaults: pgd-at L∞ 8/255, 3 steps of 2.5·eps/3 with random start (Madry et al.);
     * sat BIM 0.03, 3 steps of 0.01, half of each batch adversarial (the study's recipe);
     * trades β 6, 3 steps; fast-at FGSM with random start, step 1.25·eps (Wong et al.).
     */
    public static RecipeConfig of(String name, String norm, Float eps, Integer steps, Float stepSize, Float beta,
                                  Float advShare) {
        String n = name == null ? "standard" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("standard")) {
            if (eps != null || steps != null || stepSize != null || beta != null || advShare != null) {
                throw new IllegalArgumentException("--eps, --attack-steps, --step-size, --beta and --adv-share need an "
                        + "adversarial --recipe (pgd-at, sat, trades, fast-at)");
            }
            return standard();
        }
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown --recipe '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        String nm = Norm.parse(norm == null ? "linf" : norm).name().toLowerCase(Locale.ROOT);
        float e = eps != null ? eps : n.equals("sat") ? 0.03f : nm.equals("linf") ? 8 / 255f : 0.5f;
        int k = steps != null ? steps : n.equals("fast-at") ? 1 : 3;
        float step = stepSize != null ? stepSize
                : n.equals("sat") ? 0.01f : n.equals("fast-at") ? 1.25f * e : 2.5f * e / k;
        Float b = n.equals("trades") ? (beta != null ? beta : 6f) : null;
        Float share = n.equals("sat") ? (advShare != null ? advShare : 0.5f) : null;
        if (beta != null && !n.equals("trades")) {
            throw new IllegalArgumentException("--beta applies only to --recipe trades");
        }
        if (advShare != null && !n.equals("sat")) {
            throw new IllegalArgumentException("--adv-share applies only to --recipe sat");
        }
        return new RecipeConfig(n, nm, e, k, step, b, share);
    }

    public boolean adversarial() {
        return !name.equals("standard");
    }

    public Norm threat() {
        return Norm.parse(norm);
    }
}
