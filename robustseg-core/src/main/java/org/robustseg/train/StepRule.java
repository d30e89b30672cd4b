package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.robustseg.optim.Apgd;
import org.robustseg.optim.StepSchedule;

/**
 * How an adversarial recipe's inner maximisation moves: PGD's fixed step (the default) or APGD's
 * adaptive one (Croce &amp; Hein 2020: per-image step sizes from 2·eps halved at checkpoints,
 * momentum 0.75, restarts from the best point; {@link Apgd}), as Croce, Singh &amp; Hein (2023)
 * train their robust segmentation models. Written to JSON as its {@link #id()} ({@code --step-rule}).
 */
public enum StepRule {
    /** PGD: every step of the recipe's step size; the last iterate is trained on. */
    FIXED("fixed"),
    /** APGD: adaptive step sizes with momentum; the iterate of highest loss is trained on, as APGD returns it. */
    APGD("apgd");

    private final String id;

    StepRule(String id) {
        this.id = id;
    }

    /** The name on the command line and in recorded configurations. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The loop's schedule for this rule. */
    public StepSchedule schedule() {
        return this == APGD ? Apgd.create() : StepSchedule.FIXED;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(StepRule::id).toList();
    }

    /** The rule named {@code name} (case-insensitive); the error names {@code --step-rule} and lists the known ones. */
    @JsonCreator
    public static StepRule parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (StepRule r : values()) {
            if (r.id.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown --step-rule '" + name + "' (known: " + String.join(", ", ids()) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
