package org.robustseg.train;

/** Builds the {@link TrainingRecipe} a {@link RecipeConfig} names. */
public final class Recipes {
    private Recipes() {}

    public static TrainingRecipe create(RecipeConfig options) {
        return switch (options.name()) {
            case RecipeConfig.STANDARD -> new StandardRecipe();
            case RecipeConfig.PGD_AT -> new PgdAtRecipe(options);
            case RecipeConfig.SAT -> new SatRecipe(options);
            case RecipeConfig.ADVPROP -> new AdvPropRecipe(options);
            case RecipeConfig.TRADES -> new TradesRecipe(options);
            case RecipeConfig.FAST_AT -> new FastAtRecipe(options);
            default -> throw new IllegalArgumentException("unknown --recipe '" + options.name() + "' (known: "
                    + String.join(", ", RecipeConfig.NAMES) + ")");
        };
    }
}
