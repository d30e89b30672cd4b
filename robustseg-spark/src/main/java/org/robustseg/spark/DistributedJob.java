package org.robustseg.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.robustseg.cli.TaskJob;
import org.robustseg.engine.EngineGuard;

/**
 * A command's {@link TaskJob} on Spark: the driver builds the job from the command's options and
 * counts its tasks, one Spark task runs each of them on an executor — whose JVM builds the same job
 * from the same options once and keeps it, models included ({@link JvmCache}) — and the driver
 * merges the results with the job's own {@link TaskJob#finish}. The data-set modes of inpaint,
 * generate and saliency, and pag, run this way; the attack job has its own driver
 * ({@link DistributedAttack}: per-image files reused by a rerun).
 *
 * <p>Tasks of one JVM run one at a time on its job (DJL allows one gradient collector per process).
 *
 * @param <R> what the job's tasks hand back per image
 */
public final class DistributedJob<R extends Serializable> {
    /** Builds a command's job from its options (after {@link Staging}); must be serializable, as it travels to executors. */
    public interface Factory<R extends Serializable> extends Function<String[], TaskJob<R>>, Serializable {}

    private final String kind;
    private final Factory<R> factory;
    private final String[] args;
    private final String device;

    /**
     * @param kind the command's name (the key of the executors' cached job, with the options)
     * @param factory builds the job from the command's options
     * @param args the command's options as given (Hadoop URIs in --data and --checkpoint allowed)
     * @param device "cpu" or "gpu"
     */
    public DistributedJob(String kind, Factory<R> factory, String[] args, String device) {
        this.kind = kind;
        this.factory = factory;
        this.args = args.clone();
        this.device = device;
    }

    /** The job in this JVM, with input URIs copied to local disk; checks nothing yet. */
    TaskJob<R> local() {
        return factory.apply(Staging.localise(args));
    }

    /** Runs the job on {@code sc}'s executors and writes its files; returns the number of results (images). */
    public int run(JavaSparkContext sc) {
        try (TaskJob<R> job = local()) {
            int tasks = job.tasks();
            if (job.out().toString().contains("://")) {
                throw new IllegalArgumentException("--out must be a directory that the driver and every executor can write "
                        + "(a shared file system), not a URI: " + job.out());
            }
            List<Integer> ids = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                ids.add(t);
            }
            List<R> results = sc.parallelize(ids, Math.max(1, tasks)).flatMap(new RunTask<>(kind, factory, args, device)).collect();
            DistributedAttack.removeTemporaryFiles(job.out());
            job.finish(results);
            return results.size();
        }
    }

    /** This JVM's copy of the job; its tasks run one at a time. */
    private static final class Executor<R extends Serializable> {
        private final TaskJob<R> job;
        private final ai.djl.Device device;

        Executor(TaskJob<R> job, String deviceName) {
            EngineGuard.requireHealthy(); // once per JVM, as the CLI does before a command that computes
            this.device = SparkOptions.device(deviceName);
            this.job = job;
            job.tasks();
        }

        synchronized List<R> run(int task) {
            EngineGuard.engineThread(); // Spark's task threads are new to libtorch, which starts them with grad mode on
            return job.run(task, device);
        }
    }

    private record RunTask<R extends Serializable>(String kind, Factory<R> factory, String[] args, String device)
            implements FlatMapFunction<Integer, R> {
        @Override
        public Iterator<R> call(Integer task) {
            Executor<R> e = JvmCache.get(JvmCache.key(kind, device, args),
                    () -> new Executor<>(factory.apply(Staging.localise(args)), device));
            return e.run(task).iterator();
        }
    }
}
