/**
 * Segmentation metrics: the data-set-level confusion matrix with mIoU, pixel accuracy and
 * per-class IoU, and (later) robustness curves and perceptual-alignment metrics.
 * Depends only on the JDK (and DJL arrays for convenience adders).
 */
package org.robustseg.metric;
