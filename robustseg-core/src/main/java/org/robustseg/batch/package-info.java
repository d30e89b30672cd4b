/**
 * From samples to tensors: a {@link org.robustseg.batch.Batch} is a group of samples as
 * N×3×H×W images and N×H×W labels; {@link org.robustseg.batch.BatchLoader} assembles batches
 * (with augmentation) on a background thread so that loading overlaps with compute.
 * Depends on the data package and DJL.
 */
package org.robustseg.batch;
