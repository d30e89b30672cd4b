package org.robustseg.train;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

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

    /**
     * What the tensors of {@link #state()} mean (kind and convention, with a version): stored in
     * checkpoints, so that a resumed run never reads state of another convention as its own.
     */
    String stateFormat();

    /** The format recorded for checkpoints written before formats were recorded. */
    String UNRECORDED_FORMAT = "";

    /**
     * Restores a state stored with {@code format}, converting it where the optimiser knows how;
     * otherwise a different format is an error.
     *
     * @param lastLearningRate the learning rate of the last step taken before the state was stored
     */
    default void loadState(NDList state, String format, float lastLearningRate) {
        if (!stateFormat().equals(format)) {
            throw new IllegalArgumentException("the checkpoint's optimiser state has format '" + format
                    + "', this optimiser reads '" + stateFormat() + "'");
        }
        loadState(state);
    }

    /**
     * Zeroes a parameter's gradient. DJL's PyTorch engine, like PyTorch, adds every backward pass
     * into the gradient it already holds (checked: three backward passes of 2·w give 2, 4, 6), so
     * an optimiser that does not zero after its update trains on the sum of all past gradients —
     * which robustseg's optimisers did before this was written down.
     */
    static void zeroGradient(Parameter p) {
        JniUtils.zeroGrad((PtNDArray) p.getArray());
    }
}
