/**
 * Image synthesis with a segmentation network's input gradients: inpainting a hole, generating
 * an image for a label layout from a seed image, and semantic editing of one object. Every
 * preset here is a configuration of {@link org.robustseg.optim.InputOptimizer} (minimise the
 * pixel cross-entropy to a target label map inside a pixel mask) — there is no second loop.
 * Depends on {@code org.robustseg.optim}, the model and data contracts and DJL.
 */
package org.robustseg.synth;
