package org.robustseg.train;

/**
 * "Fast is better than free" adversarial training (Wong et al. 2020): PGD-AT whose inner max is
 * a single FGSM step of 1.25·eps from a uniform random start, projected back to the eps-ball —
 * robust training at about the cost of two standard steps (one input gradient, one update).
 * The options enforce exactly one step.
 */
public final class FastAtRecipe extends PgdAtRecipe {
    public FastAtRecipe(RecipeConfig options) {
        super(options, Recipe.FAST_AT);
    }
}
