package org.robustseg.train;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Locale;

/**
 * A parameter optimiser whose state (momentum, Adam moments, step count) is plain tensors,
 * so that a checkpoint can store it and a resumed run continues bit-identically. DJL's own
 * optimisers keep their state private, which is why this small interface exists.
 */
public interface Optimizer {
    /** Applies one update to every trainable parameter from its accumulated gradient, then zeroes the gradients. */
    void update(List<Parameter> parameters, float learningRate);

    /** The state as tensors, in a fixed order (for checkpoints). */
    NDList state();

    /** Restores a state written by {@link #state()} of an optimiser of the same kind and model. */
    void loadState(NDList state);

    /** Builds the optimiser named on the command line. */
    static Optimizer named(String name, float momentum, float weightDecay) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new SgdMomentum(momentum, weightDecay);
            case "adam" -> new Adam(0.9f, 0.999f, 1e-8f, weightDecay);
            default -> throw new IllegalArgumentException("unknown --optimizer '" + name + "' (expected sgd or adam)");
        };
    }
}
