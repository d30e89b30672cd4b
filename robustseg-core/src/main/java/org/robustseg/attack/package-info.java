/**
 * Adversarial attacks on segmentation models as thin presets over
 * {@link org.robustseg.optim.InputOptimizer}: FGSM, BIM, PGD (L∞ and L2, restarts), SegPGD,
 * the SEA ensemble and targeted attacks. No attack has its own loop; this package depends only
 * on {@code org.robustseg.optim}, the model contract and DJL.
 */
package org.robustseg.attack;
