package org.robustseg.cli.options;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.robustseg.data.ClassSet;
import org.robustseg.data.ClassSets;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Split;
import org.robustseg.provenance.Checkpoint;

/** Class names for options that take a class ({@code --class}, {@code --from}, {@code --to}): which names, and parsing one. */
public final class ClassNames {
    private ClassNames() {}

    /**
     * The class names and palette: the data set's when given, an imported network's card's,
     * FashionScenes' for an 11-class FashionScenes checkpoint, else ids.
     */
    public static ClassSet of(Checkpoint ckpt, Path data) {
        if (data != null) {
            return DataSets.open(data, Split.VAL).classes();
        }
        int k = ckpt.spec().numClasses();
        if (ckpt.classNames().isPresent()) { // an imported network's card names its classes
            return new ClassSet(ckpt.classNames().get(), Arrays.copyOf(ClassSets.vocPalette(), Math.max(k, 1)));
        }
        String trainedOn = ckpt.meta().path("provenance").path("datasets").path("train").path("name").asText("");
        if (k == FashionScenes.classes().size() && trainedOn.startsWith(FashionScenes.NAME)) {
            return FashionScenes.classes();
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add("class " + c);
        }
        int[] palette = ClassSets.vocPalette();
        return new ClassSet(names, Arrays.copyOf(palette, Math.max(k, 1)));
    }

    /** A class given by id or by name (case-insensitive); the error names {@code option} and lists the names. */
    public static int parse(String value, ClassSet classes, String option) {
        String v = value == null ? "" : value.trim();
        try {
            int id = Integer.parseInt(v);
            if (id < 0 || id >= classes.size()) {
                throw new IllegalArgumentException(option + " " + id + " is not a class id (0.." + (classes.size() - 1) + ")");
            }
            return id;
        } catch (NumberFormatException notANumber) {
            List<String> names = classes.names();
            for (int c = 0; c < names.size(); c++) {
                if (names.get(c).equalsIgnoreCase(v)) {
                    return c;
                }
            }
            for (int c = 0; c < names.size(); c++) { // "shirt" also finds "t-shirt/top" only if nothing matches exactly
                for (String part : names.get(c).toLowerCase(Locale.ROOT).split("/")) {
                    if (part.equals(v.toLowerCase(Locale.ROOT))) {
                        return c;
                    }
                }
            }
            throw new IllegalArgumentException(option + ": unknown class '" + value + "' (known: " + String.join(", ", names) + ")");
        }
    }
}
