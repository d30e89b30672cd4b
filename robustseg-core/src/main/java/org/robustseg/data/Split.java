package org.robustseg.data;

import java.util.Locale;

/** A named part of a data set, as listed in a VOC-style {@code ImageSets/Segmentation/<split>.txt}. */
public enum Split {
    TRAIN,
    VAL,
    TEST;

    /** The lower-case file name stem used on disk ("train", "val", "test"). */
    public String fileStem() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "train", "val" or "test" (case-insensitive); the error names the bad value. */
    public static Split parse(String text) {
        for (Split s : values()) {
            if (s.fileStem().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split '" + text + "' (expected train, val or test)");
    }
}
