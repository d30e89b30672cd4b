package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
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

    /** The lower-case name, as recorded in JSON (a recipe's attack_bn): "eval" or "training". */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of {@link #id()} {@code id}, exactly as recorded. */
    @JsonCreator
    public static ForwardMode parse(String id) {
        for (ForwardMode m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown BatchNorm mode '" + id + "' (known: eval, training)");
    }

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
