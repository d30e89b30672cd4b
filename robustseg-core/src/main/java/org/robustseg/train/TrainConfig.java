package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import org.robustseg.Fluent;

/**
 * Everything that determines a training run (recorded in provenance; a resumed run must match
 * it), including the recipe and its options ({@link RecipeConfig}). Its JSON form, the
 * {@code @JsonProperty} names and values, is what run.json and checkpoints hold and what a resumed
 * run is compared with, so it must not change.
 *
 * <p>Made with a {@link Builder}, where every setting is named and has the PSPNet recipe's default:
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder("pspnet-lite").epochs(30).batchSize(16).seed(0).build();
 * TrainConfig robust = config.toBuilder().recipe(RecipeConfig.of(Recipe.PGD_AT)).learningRate(0.02f).build();
 * }</pre>
 *
 * @param model architecture name (see {@link org.robustseg.model.ModelZoo})
 * @param recipe the training recipe and its options
 * @param epochs number of passes over the training set
 * @param batchSize images per step (JSON "batch")
 * @param seed the seed every random stream of the run is derived from
 * @param optimizer the parameter optimiser
 * @param learningRate base learning rate of the poly schedule (JSON "lr")
 * @param momentum SGD momentum (unused by Adam)
 * @param weightDecay L2 weight decay
 * @param polyPower power of the poly learning-rate schedule
 * @param auxWeight weight of the auxiliary head's loss
 * @param augmentation the training-time augmentation (JSON "augment")
 */
public record TrainConfig(
        @JsonProperty("model") String model,
        @JsonProperty("recipe") RecipeConfig recipe,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch") int batchSize,
        @JsonProperty("seed") long seed,
        @JsonProperty("optimizer") OptimizerKind optimizer,
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
        if (optimizer == null) {
            throw new IllegalArgumentException("--optimizer missing");
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

    /** A builder for {@code model} with every setting at its default (see {@link Builder}). */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** A builder holding this configuration's settings, to derive a variant of it. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The settings of a run by name. Defaults: standard recipe, 30 epochs, batch 16, seed 0, SGD at
     * the optimiser's default learning rate for the model ({@link OptimizerKind#defaultLearningRate}),
     * momentum 0.9, weight decay 1e-4, poly power 0.9, auxiliary weight 0.4, default augmentation.
     * Checked by {@link #build()}, with errors that name the command-line option. Immutable
     * ({@link Fluent}): each setter returns a modified copy.
     */
    public static final class Builder extends Fluent<Builder> {
        private String model;
        private RecipeConfig recipe = RecipeConfig.of(Recipe.STANDARD);
        private int epochs = 30;
        private int batchSize = 16;
        private long seed;
        private OptimizerKind optimizer = OptimizerKind.SGD;
        private Float learningRate; // null: the optimiser's default for the model
        private float momentum = 0.9f;
        private float weightDecay = 1e-4f;
        private float polyPower = 0.9f;
        private float auxWeight = 0.4f;
        private Augmentation augmentation = Augmentation.defaults();

        private Builder(String model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        private Builder(TrainConfig c) {
            this(c.model);
            recipe = c.recipe;
            epochs = c.epochs;
            batchSize = c.batchSize;
            seed = c.seed;
            optimizer = c.optimizer;
            learningRate = c.learningRate;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            polyPower = c.polyPower;
            auxWeight = c.auxWeight;
            augmentation = c.augmentation;
        }

        /** The architecture (see {@link org.robustseg.model.ModelZoo}). */
        public Builder model(String value) {
            Objects.requireNonNull(value, "model");
            return with(b -> b.model = value);
        }

        /** The training recipe and its options (default: standard). */
        public Builder recipe(RecipeConfig value) {
            Objects.requireNonNull(value, "recipe");
            return with(b -> b.recipe = value);
        }

        /** Number of passes over the training set. */
        public Builder epochs(int value) {
            return with(b -> b.epochs = value);
        }

        /** Images per step. */
        public Builder batchSize(int value) {
            return with(b -> b.batchSize = value);
        }

        /** The seed of initialisation, visiting order, augmentation, dropout and random starts. */
        public Builder seed(long value) {
            return with(b -> b.seed = value);
        }

        /** The parameter optimiser (default SGD with momentum). */
        public Builder optimizer(OptimizerKind value) {
            Objects.requireNonNull(value, "optimizer");
            return with(b -> b.optimizer = value);
        }

        /** Base learning rate of the poly schedule (default: the optimiser's rate for the model). */
        public Builder learningRate(float value) {
            return with(b -> b.learningRate = value);
        }

        /** SGD momentum (default 0.9). */
        public Builder momentum(float value) {
            return with(b -> b.momentum = value);
        }

        /** L2 weight decay (default 1e-4). */
        public Builder weightDecay(float value) {
            return with(b -> b.weightDecay = value);
        }

        /** Power of the poly learning-rate schedule (default 0.9). */
        public Builder polyPower(float value) {
            return with(b -> b.polyPower = value);
        }

        /** Weight of the auxiliary head's loss (default 0.4). */
        public Builder auxWeight(float value) {
            return with(b -> b.auxWeight = value);
        }

        /** Training-time augmentation (default {@link Augmentation#defaults()}). */
        public Builder augmentation(Augmentation value) {
            Objects.requireNonNull(value, "augmentation");
            return with(b -> b.augmentation = value);
        }

        /** The configuration, checked. */
        public TrainConfig build() {
            float lr = learningRate != null ? learningRate : optimizer.defaultLearningRate(model);
            return new TrainConfig(model, recipe, epochs, batchSize, seed, optimizer, lr, momentum, weightDecay, polyPower,
                    auxWeight, augmentation);
        }
    }
}
