package org.robustseg.optim;

/** Whether the loop ascends or descends the objective. */
public enum Direction {
    /** Untargeted attacks and the inner maximisation of adversarial training: highest loss wins. */
    MAXIMISE,
    /** Targeted attacks, inpainting and generation: lowest loss wins. */
    MINIMISE;

    /** +1 for MAXIMISE, -1 for MINIMISE: multiplies a loss so that larger is always better. */
    public float sign() {
        return this == MAXIMISE ? 1f : -1f;
    }
}
