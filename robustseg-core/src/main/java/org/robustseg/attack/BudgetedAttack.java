package org.robustseg.attack;

import java.util.Map;

/**
 * An attack with a perturbation budget that can be re-targeted to another budget: what a
 * robustness curve sweeps. Both single attacks and ensembles are budgeted.
 */
public interface BudgetedAttack extends Attack {
    /** The same attack at budget {@code eps} (a copy). */
    BudgetedAttack eps(float eps);

    float eps();

    /** The same attack with its random streams seeded by {@code seed} (a copy). */
    BudgetedAttack seed(long seed);

    /**
     * The same attack with random streams per image (a copy): image i of the next batch draws
     * from the stream of (seed, {@code keys[i]}) ({@link org.robustseg.optim.ImageStreams}), so
     * its result does not depend on how the data set was cut into batches. Null: one stream per
     * batch, as before.
     */
    BudgetedAttack imageKeys(long[] keys);

    Norm norm();

    /** The settings that define the attack, for provenance (name, norm, eps, steps, …). */
    Map<String, Object> settings();
}
