/**
 * The numerical health of the engine this process runs on: a float32-against-float64 self-check
 * of the convolution kernels (oneDNN, inside libtorch) at start-up, the oneDNN ISA cap in effect
 * and the safer caps to fall back to, and the engine facts every provenance records. It depends on
 * DJL's PyTorch engine only; the per-model check that uses it lives in {@code org.robustseg.model}.
 */
package org.robustseg.engine;
