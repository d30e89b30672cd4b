/**
 * The benchmarks ({@code ./run bench}): robustseg's speed against the same networks in PyTorch
 * ({@link org.robustseg.bench.BenchCommand}), resident memory over long runs, the training cost
 * model and per-recipe step times. They read {@code /proc} and glibc state, which is why they
 * live in their own module; they print and write figures and never pass or fail on time.
 */
package org.robustseg.bench;
