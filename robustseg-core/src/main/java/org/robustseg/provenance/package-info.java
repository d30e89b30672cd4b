/**
 * Provenance and durable outputs: what produced an artefact (tool version and commit, full
 * configuration, seeds, data identity), JSON I/O, atomic file writes and checkpoints.
 * Depends on the model package (to rebuild a network from a checkpoint) and on Jackson.
 */
package org.robustseg.provenance;
