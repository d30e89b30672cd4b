/**
 * Training: the {@link org.robustseg.train.Trainer} loop (epochs, poly learning rate,
 * resumable atomic checkpoints), optimisers whose state is saved with the checkpoint, and
 * training recipes (standard; adversarial recipes build their inner maximisation on the
 * optim package's loop). Depends on model, batch, data, optim and provenance.
 */
package org.robustseg.train;
