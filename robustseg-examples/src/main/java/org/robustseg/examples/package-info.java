/**
 * The README's Java examples as complete programs against the core library alone: train a
 * standard and a robust model ({@link org.robustseg.examples.TrainExample}), attack them
 * ({@link org.robustseg.examples.AttackExample}), inpaint and edit
 * ({@link org.robustseg.examples.InpaintExample}), generate
 * ({@link org.robustseg.examples.GenerateExample}) and look at input-gradient saliency
 * ({@link org.robustseg.examples.SaliencyExample}). The code between each
 * {@code // tag::NAME[]} and {@code // end::NAME[]} comment is shown verbatim in the README, and
 * this module's tests check that it still is and that each example runs, so the README cannot
 * show code that does not compile.
 */
package org.robustseg.examples;
