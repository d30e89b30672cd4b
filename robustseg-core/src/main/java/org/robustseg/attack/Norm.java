package org.robustseg.attack;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.robustseg.optim.L2Step;
import org.robustseg.optim.LinfStep;
import org.robustseg.optim.Step;

/**
 * The norm that measures a perturbation's size (pixel units, images in [0,1]). In JSON (recorded
 * training configurations) a norm is its lower-case name, "linf" or "l2", as on the command line.
 */
public enum Norm {
    LINF,
    L2;

    /** "linf" (also "l-inf", "inf") or "l2", case-insensitive; the error lists what is accepted. */
    @JsonCreator
    public static Norm parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "linf": case "l-inf": case "inf": case "l_inf": return LINF;
            case "l2": return L2;
            default: throw new IllegalArgumentException("unknown norm '" + name + "' (known: linf, l2)");
        }
    }

    /** Like {@link #parse(String)}, for a command-line option: the error starts with {@code option}, e.g. "--norm: ". */
    public static Norm parse(String name, String option) {
        try {
            return parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** The step of this geometry. */
    public Step step(float eps, float stepSize) {
        return this == LINF ? new LinfStep(eps, stepSize) : new L2Step(eps, stepSize);
    }

    /** ‖x − x0‖ of one image's perturbation given as values. */
    public double measure(float[] delta) {
        double r = 0;
        for (float d : delta) {
            r = this == LINF ? Math.max(r, Math.abs(d)) : r + (double) d * d;
        }
        return this == LINF ? r : Math.sqrt(r);
    }

    @JsonValue
    @Override
    public String toString() {
        return this == LINF ? "linf" : "l2";
    }
}
