package org.robustseg.train;

/** What to do when the run directory already holds a run. */
public enum RunMode {
    /** Refuse to touch an existing run (the default: nothing already written is lost). */
    FRESH,
    /** Continue from the latest checkpoint; the configuration must match. */
    RESUME,
    /** Delete the previous run's checkpoints and records, then start again. */
    OVERWRITE
}
