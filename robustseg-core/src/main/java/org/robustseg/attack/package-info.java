/**
 * Adversarial attacks on segmentation models as thin presets over
 * {@link org.robustseg.optim.InputOptimizer}: FGSM, BIM, PGD (L∞ and L2, restarts), APGD,
 * SegPGD, SEA as published (APGD on four losses with a progressive radius, {@link org.robustseg.attack.Radii}),
 * the older PGD ensemble sea-pgd and targeted attacks. No gradient attack has its own loop; the
 * one exception is the black-box {@link org.robustseg.attack.SquareAttack}, a random search over
 * forward passes. This package depends only on {@code org.robustseg.optim}, the model contract
 * and DJL.
 */
package org.robustseg.attack;
