package org.robustseg.spark;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.robustseg.cli.robustness.AttackJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./run spark attack [--master M] [--device cpu|gpu] <the options of ./run attack>}: the
 * attack command's job, its batches spread over a Spark cluster ({@link DistributedAttack}).
 * Writes robustness.json, robustness.png and per-image/ as {@code ./run attack} does, with the
 * same figures; examples.png and --masking-check stay with the single-machine command.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Robustness curves on Spark: the options of './run attack' (see './run attack --help'), one Spark task "
                + "per batch; robustness.json, robustness.png and per-image/ in --out, which every executor must be able to "
                + "write (a shared file system). --data and --checkpoint may be Hadoop URIs (hdfs://, s3a://, file://): "
                + "each node copies them once to its local disk. examples.png and --masking-check: './run attack'.")
public final class SparkAttackCommand implements Callable<Integer> {
    @Mixin
    SparkOptions spark;

    /** Everything else: the options of {@code ./run attack}, parsed by that command (here and on every executor). */
    @Unmatched
    List<String> attackArgs;

    @Override
    public Integer call() {
        String[] args = attackArgs == null ? new String[0] : attackArgs.toArray(new String[0]);
        String device = spark.deviceName();
        // options are checked here, before a cluster is asked for anything
        AttackJob job = DistributedAttack.localJob(args);
        if (job.maskingCheck()) {
            throw new IllegalArgumentException("--masking-check runs on one machine: use './run attack --masking-check'");
        }
        try (JavaSparkContext sc = SparkOptions.context(spark, "robustseg attack")) {
            AttackJob.Result result = new DistributedAttack(args, device).run(sc);
            System.out.print(result.table());
            System.out.println("wrote " + job.out().resolve("robustness.json") + ", robustness.png, per-image/ ("
                    + sc.defaultParallelism() + " executor cores at " + sc.master() + ")");
        }
        return 0;
    }
}
