/**
 * Commands that make data and models: {@code data} (FashionScenes), {@code info} (architectures),
 * {@code train} (every recipe, resumable) and {@code eval} (mIoU, pixel accuracy, per-class IoU).
 */
package org.robustseg.cli.training;
