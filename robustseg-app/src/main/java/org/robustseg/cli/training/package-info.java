/**
 * Commands that make data and models: {@code data} (FashionScenes), {@code info} (architectures),
 * {@code train} (every recipe, resumable; also fine-tuning of an imported network), {@code eval} (mIoU,
 * pixel accuracy, per-class IoU) and {@code export} (safetensors or TorchScript with a model card).
 */
package org.robustseg.cli.training;
