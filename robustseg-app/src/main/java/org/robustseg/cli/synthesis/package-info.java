/**
 * Commands that paint with a segmentation net's input gradients and judge the result:
 * {@code inpaint}, {@code generate}, {@code edit}, {@code saliency} and {@code pag} (the study's
 * perceptually-aligned-gradients comparison, scored by an independent judge model).
 *
 * <p>{@code pag} and {@code saliency} keep their work in a job record ({@link
 * org.robustseg.cli.synthesis.PagJob}, {@link org.robustseg.cli.synthesis.SaliencyJob}): the
 * command turns options into a job and prints its result; the demo builds the same jobs directly,
 * so a failure reaches it as an exception with its message, not as an exit code.
 */
package org.robustseg.cli.synthesis;
