package org.robustseg.train;

/** Builds the {@link TrainingRecipe} a {@link RecipeConfig} names. */
public final class Recipes {
    private Recipes() {}

    public static TrainingRecipe create(RecipeConfig options) {
        return switch (options.recipe()) {
            case STANDARD -> new StandardRecipe();
            case PGD_AT -> new PgdAtRecipe(options);
            case SAT -> new SatRecipe(options);
            case ADVPROP -> new AdvPropRecipe(options);
            case TRADES -> new TradesRecipe(options);
            case FAST_AT -> new FastAtRecipe(options);
        };
    }
}
