package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Everything that determines a training run (recorded in provenance; a resumed run must
 * match it), including the recipe and its options ({@link RecipeConfig}). Defaults follow the
 * PSPNet recipe: SGD, lr 0.01, momentum 0.9, poly power 0.9,
 * weight decay 1e-4, auxiliary loss weight 0.4.
 */
public record TrainConfig(
        @JsonProperty("model") String model,
        @JsonProperty("recipe") RecipeConfig recipe,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch") int batchSize,
        @JsonProperty("seed") long seed,
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("lr") float learningRate,
        @JsonProperty("momentum") float momentum,
        @JsonProperty("weight_decay") float weightDecay,
        @JsonProperty("poly_power") float polyPower,
        @JsonProperty("aux_weight") float auxWeight,
        @JsonProperty("augment") Augmentation augmentation) {

    public TrainConfig {
        if (recipe == null) {
            throw new IllegalArgumentException("--recipe missing");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        }
    }

    /** A configuration with the recipe {@code recipe} at its default options. */
    public TrainConfig(String model, String recipe, int epochs, int batchSize, long seed, String optimizer,
            float learningRate, float momentum, float weightDecay, float polyPower, float auxWeight,
            Augmentation augmentation) {
        this(model, RecipeConfig.of(recipe), epochs, batchSize, seed, optimizer, learningRate, momentum, weightDecay,
                polyPower, auxWeight, augmentation);
    }

    /** The same configuration with another recipe. */
    public TrainConfig withRecipe(RecipeConfig value) {
        return new TrainConfig(model, value, epochs, batchSize, seed, optimizer, learningRate, momentum, weightDecay,
                polyPower, auxWeight, augmentation);
    }

    /** The same configuration with another base learning rate. */
    public TrainConfig withLearningRate(float value) {
        return new TrainConfig(model, recipe, epochs, batchSize, seed, optimizer, value, momentum, weightDecay,
                polyPower, auxWeight, augmentation);
    }

    /** The PSPNet-recipe defaults for a model and seed, at the architecture's learning rate. */
    public static TrainConfig defaults(String model, int epochs, int batchSize, long seed) {
        float lr = org.robustseg.model.ModelZoo.architecture(model).defaultLearningRate();
        return new TrainConfig(model, RecipeConfig.of(RecipeConfig.STANDARD), epochs, batchSize, seed, "sgd", lr, 0.9f, 1e-4f, 0.9f, 0.4f,
                Augmentation.defaults());
    }
}
