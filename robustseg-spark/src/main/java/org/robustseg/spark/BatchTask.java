package org.robustseg.spark;

import java.io.Serializable;

/**
 * One Spark task: batch {@code batch} of the job's data set under checkpoint number {@code checkpoint}.
 * Batches are cut exactly as the single-process command cuts them (batch k = images k·B..k·B+B-1),
 * because libtorch's float sums depend on the batch's shape: the same batches give the same bits.
 */
record BatchTask(int checkpoint, int batch) implements Serializable {}
