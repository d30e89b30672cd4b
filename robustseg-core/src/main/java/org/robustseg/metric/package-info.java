/**
 * Segmentation metrics: the data-set-level confusion matrix with mIoU, pixel accuracy and
 * per-class IoU, robustness curves and the robust-versus-standard table
 * ({@link org.robustseg.metric.RobustnessComparison}), and perceptually-aligned-gradient (PAG) metrics: masked
 * PSNR/SSIM, gradient cosine ({@link org.robustseg.metric.PagMetrics}) and the judged
 * inpainting/generation experiment ({@link org.robustseg.metric.Pag}), and input-gradient
 * saliency maps with their concentration on objects ({@link org.robustseg.metric.Saliency}),
 * per-image and per-object-size figures ({@link org.robustseg.metric.ImageMetrics}) and the
 * gradient-masking flags ({@link org.robustseg.metric.GradientMasking}). Depends on the model,
 * data, attack and synth contracts and DJL.
 */
package org.robustseg.metric;
