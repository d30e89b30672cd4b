package org.robustseg.spark;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.robustseg.cli.TaskJob;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Unmatched;

/**
 * The Spark form of a command whose work is a {@link TaskJob}: {@code ./run spark NAME [--master M]
 * [--device cpu|gpu] <the options of ./run NAME>}. Subclasses name the command and build its job.
 *
 * @param <R> what the job's tasks hand back per image
 */
abstract class SparkTaskCommand<R extends Serializable> implements Callable<Integer> {
    @Mixin
    SparkOptions spark;

    /** Everything else: the command's own options, parsed by the command (here and on every executor). */
    @Unmatched
    List<String> commandArgs;

    /** The command's name, e.g. "inpaint". */
    abstract String name();

    /** Builds the command's job from its options. */
    abstract DistributedJob.Factory<R> factory();

    @Override
    public Integer call() {
        String[] args = commandArgs == null ? new String[0] : commandArgs.toArray(new String[0]);
        String device = spark.deviceName();
        DistributedJob<R> distributed = new DistributedJob<>(name(), factory(), args, device);
        try (TaskJob<R> job = distributed.local()) {
            job.tasks(); // options checked before a cluster is asked for anything
        }
        try (JavaSparkContext sc = SparkOptions.context(spark, "robustseg " + name())) {
            int n = distributed.run(sc);
            System.out.println(name() + ": " + n + " images; files in --out as './run " + name() + "' writes them ("
                    + sc.defaultParallelism() + " executor cores at " + sc.master() + ")");
        }
        return 0;
    }
}
