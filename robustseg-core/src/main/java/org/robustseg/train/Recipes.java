package org.robustseg.train;

/** Builds the recipe a {@link RecipeConfig} names. */
public final class Recipes {
    private Recipes() {}

    public static TrainingRecipe create(RecipeConfig config) {
        return switch (config.name()) {
            case "standard" -> new StandardRecipe();
            case "pgd-at", "fast-at" -> new PgdAtRecipe(config);
            case "sat" -> new SatRecipe(config);
            case "trades" -> new TradesRecipe(config);
            default -> throw new IllegalArgumentException("unknown --recipe '" + config.name() + "'");
        };
    }
}
