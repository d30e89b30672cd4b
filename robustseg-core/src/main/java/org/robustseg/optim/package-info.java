/**
 * The one input-space optimisation loop ({@link org.robustseg.optim.InputOptimizer}) and its
 * parts: the geometry of a move ({@link org.robustseg.optim.Step}), how one iterate follows
 * another ({@link org.robustseg.optim.StepSchedule}: fixed steps, or {@link org.robustseg.optim.Apgd}), the pixel
 * {@link org.robustseg.optim.Mask}, per-sample {@link org.robustseg.optim.Objective}s and the
 * input gradient ({@link org.robustseg.optim.InputGradient}); random streams per image
 * ({@link org.robustseg.optim.ImageStreams}) for evaluations that must not depend on batching. Attacks, adversarial training and
 * synthesis are presets over this package; it depends only on DJL and robustseg's model and data
 * contracts.
 */
package org.robustseg.optim;
