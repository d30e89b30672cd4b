/**
 * Commands that measure robustness: {@code attack} (mIoU and accuracy over a budget sweep, with
 * plots and examples) and {@code compare} (several checkpoints side by side: clean, PGD, SEA).
 * {@code attack}'s work is {@link org.robustseg.cli.robustness.AttackJob}, which the demo also runs
 * and robustseg-spark spreads over a cluster: planned once, run batch by batch (each image's figures
 * written atomically to per-image/, reused by a rerun), finished by summing confusion matrices.
 */
package org.robustseg.cli.robustness;
