package org.robustseg.optim;

/**
 * What "best" means when the loop keeps one iterate per image (over iterations and restarts).
 * Keys compare lexicographically and a candidate replaces the kept one only if strictly better,
 * so on ties the earlier iterate (and the first restart) wins. The loss compared is always the
 * objective at its final parameters, one fixed function for the whole run (see
 * {@link InputOptimizer}).
 */
public enum Selection {
    /** Highest loss when maximising, lowest when minimising. */
    LOSS,
    /**
     * Pixel accuracy against the target on valid pixels first — lowest when maximising (the
     * attack's worst case), highest when minimising (a targeted attack's best match) — ties broken
     * by the loss as in {@link #LOSS}.
     */
    ACCURACY;

    /** Primary key, larger is better. */
    float primary(Direction d, float loss, float accuracy) {
        return this == LOSS ? d.sign() * loss : -d.sign() * accuracy;
    }

    /** Tie-break key, larger is better. */
    float secondary(Direction d, float loss) {
        return this == LOSS ? 0f : d.sign() * loss;
    }

    static boolean better(float primaryA, float secondaryA, float primaryB, float secondaryB) {
        return primaryA > primaryB || (primaryA == primaryB && secondaryA > secondaryB);
    }
}
