/**
 * Commands that measure robustness: {@code attack} (mIoU and accuracy over a budget sweep, with
 * plots and examples) and {@code compare} (several checkpoints side by side: clean, PGD, SEA).
 * {@code attack}'s work is {@link org.robustseg.cli.robustness.AttackJob}, which the demo also runs.
 */
package org.robustseg.cli.robustness;
