package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import org.robustseg.model.SegmentationModel;

/** Which BatchNorm statistics the forward pass of an input gradient uses. */
public enum ForwardMode {
    /** Running statistics: the model as deployed. Attacks and synthesis use this. */
    EVAL,
    /**
     * Batch statistics, as during training (e.g. for an adversarial-training inner maximisation
     * that wants the training-mode graph). Running statistics are restored afterwards, so taking
     * gradients never changes the model.
     */
    TRAINING;

    /**
     * The main logits of x with BatchNorm in this mode and no gradient to the parameters; running
     * statistics are left exactly as they were (e.g. TRADES' clean reference for its inner max).
     */
    public NDArray logits(SegmentationModel model, NDArray x) {
        try (FrozenParameters frozen = new FrozenParameters(model, this)) {
            return model.forward(x, this == TRAINING).get(0);
        }
    }
}
