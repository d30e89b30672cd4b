/**
 * Commands that paint with a segmentation net's input gradients and judge the result:
 * {@code inpaint}, {@code generate}, {@code edit}, {@code saliency} and {@code pag} (the study's
 * perceptually-aligned-gradients comparison, scored by an independent judge model).
 */
package org.robustseg.cli.synthesis;
