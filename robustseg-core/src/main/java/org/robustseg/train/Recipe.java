package org.robustseg.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The training recipes, a closed set: what {@code --recipe} accepts and what {@link RecipeConfig}
 * records. Each is written to JSON (run.json, checkpoints) as its {@link #id()}, the name given to
 * {@code --recipe}, so configurations recorded before this enum existed still load and compare.
 */
public enum Recipe {
    /** Plain cross-entropy training, no inner maximisation. */
    STANDARD("standard"),
    /** Madry et al.'s PGD adversarial training. */
    PGD_AT("pgd-at"),
    /** The study's SAT: part of each batch replaced by BIM examples. */
    SAT("sat"),
    /** AdvProp: clean and adversarial batches through separate BatchNorms. */
    ADVPROP("advprop"),
    /** TRADES: clean CE plus beta times the KL to the adversarial prediction. */
    TRADES("trades"),
    /** Wong et al.'s fast AT: one FGSM step from a random start. */
    FAST_AT("fast-at");

    private final String id;

    Recipe(String id) {
        this.id = id;
    }

    /** The name on the command line and in recorded configurations, e.g. "pgd-at". */
    @JsonValue
    public String id() {
        return id;
    }

    /** True for every recipe with an inner maximisation. */
    public boolean adversarial() {
        return this != STANDARD;
    }

    /** The ids of all recipes, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Recipe::id).toList();
    }

    /** The recipe of {@code name} (case-insensitive, trimmed); the error names {@code --recipe} and lists the known ones. */
    @JsonCreator
    public static Recipe parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Recipe r : values()) {
            if (r.id.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown --recipe '" + name + "' (known: " + String.join(", ", ids()) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
