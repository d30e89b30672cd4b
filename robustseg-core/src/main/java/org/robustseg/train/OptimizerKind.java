package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;

/**
 * The parameter optimisers a training run can use, a closed set: what {@code --optimizer} accepts
 * and what {@link TrainConfig} records, as its {@link #id()} ("sgd", "adam"), the form recorded
 * configurations have always had.
 */
public enum OptimizerKind {
    /** SGD with momentum, the PSPNet recipe ({@link SgdMomentum}). */
    SGD("sgd"),
    /** Adam with betas 0.9, 0.999 ({@link Adam}). */
    ADAM("adam");

    private final String id;

    OptimizerKind(String id) {
        this.id = id;
    }

    /** The name on the command line and in recorded configurations. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The optimiser of this kind; Adam ignores the momentum (its betas are fixed). */
    public Optimizer create(float momentum, float weightDecay) {
        return this == SGD ? new SgdMomentum(momentum, weightDecay) : new Adam(0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /**
     * SGD's base rate for fine-tuning an imported network: PSPNet's rate for a pretrained backbone,
     * as an imported network has been trained already.
     */
    public static final float IMPORTED_SGD_RATE = 0.01f;

    /** The base learning rate when none is given: the architecture's SGD rate ({@link #IMPORTED_SGD_RATE} for an imported network), 0.001 for Adam. */
    public float defaultLearningRate(String model) {
        if (this == ADAM) {
            return 1e-3f;
        }
        return new ModelSpec(model, 2).imported() ? IMPORTED_SGD_RATE : ModelZoo.architecture(model).defaultLearningRate();
    }

    /** The kind of {@code name}, case-insensitive; the error names {@code --optimizer}. */
    @JsonCreator
    public static OptimizerKind parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (OptimizerKind k : values()) {
            if (k.id.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown --optimizer '" + name + "' (expected sgd or adam)");
    }

    @Override
    public String toString() {
        return id;
    }
}
