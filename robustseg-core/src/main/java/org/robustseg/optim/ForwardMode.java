package org.robustseg.optim;

/** Which BatchNorm statistics the forward pass of an input gradient uses. */
public enum ForwardMode {
    /** Running statistics: the model as deployed. Attacks and synthesis use this. */
    EVAL,
    /**
     * Batch statistics, as during training (e.g. for an adversarial-training inner maximisation
     * that wants the training-mode graph). Running statistics are restored afterwards, so taking
     * gradients never changes the model.
     */
    TRAINING
}
