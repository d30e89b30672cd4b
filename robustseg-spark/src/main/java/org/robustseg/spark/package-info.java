/**
 * The commands' jobs on Apache Spark ({@code ./run spark attack|inpaint|generate|saliency|pag}, or
 * {@code spark-submit} of the shaded jar): the driver builds and plans the same job as the
 * single-machine command ({@code cli.robustness.AttackJob}, or a {@code cli.TaskJob}), one Spark
 * task per batch; each executor JVM builds the job from the same options once and keeps its models
 * ({@link org.robustseg.spark.JvmCache}), runs the command's per-batch code, which writes that
 * batch's files atomically; the driver merges the results with the job's own code. Transport
 * only: no attack, synthesis or metric code lives here.
 */
package org.robustseg.spark;
