/**
 * Robustness evaluation on Apache Spark ({@code ./run spark attack}, or {@code spark-submit} of the
 * shaded jar): the driver plans the same job as {@code ./run attack} ({@code cli.robustness.AttackJob}),
 * one Spark task per batch; each executor JVM loads the checkpoints once and runs the job's own
 * per-batch code, which writes one file per image atomically; the driver sums the images' confusion
 * matrices. Transport only: no optimisation or metric code lives here.
 */
package org.robustseg.spark;
