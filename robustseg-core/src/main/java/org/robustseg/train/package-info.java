/**
 * Training: the {@link org.robustseg.train.Trainer} loop (epochs, poly learning rate,
 * resumable atomic checkpoints), optimisers whose state is saved with the checkpoint, and
 * training recipes — standard, pgd-at, sat, advprop, trades, fast-at, named and configured by
 * {@link org.robustseg.train.RecipeConfig}; adversarial recipes run their inner maximisation as
 * an attack preset on the optim package's loop, with PGD's fixed step or APGD's adaptive one
 * ({@link org.robustseg.train.StepRule}). Depends on model, batch, data, optim, attack,
 * metric and provenance.
 */
package org.robustseg.train;
