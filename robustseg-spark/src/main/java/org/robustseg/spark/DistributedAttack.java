package org.robustseg.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.robustseg.cli.robustness.AttackCommand;
import org.robustseg.cli.robustness.AttackJob;
import org.robustseg.metric.Robustness;

/**
 * The attack command's job on Spark. The driver plans it ({@link AttackJob#plan}: options checked,
 * data set opened, batches counted) and fingerprints each checkpoint; one task per (checkpoint,
 * batch) runs {@link AttackJob#batch} on an executor, which loads each checkpoint once
 * ({@link ExecutorState}), reuses the per-image files of batches a previous run finished and writes
 * those of the others atomically; the driver collects the images' counts (for SEA every member's,
 * and the member kept) and writes robustness.json and robustness.png through
 * {@link AttackJob#finish} — the command's own merge, so per-image, per-object and SEA's
 * member-by-member figures come out as the command's do.
 *
 * <p>Why the figures are bit-identical to {@code ./run attack} on the same options: the attack draws
 * its random streams per image, keyed by the image's id (not by batch or partition); the batches
 * are the command's batches (libtorch's float sums depend on the batch's shape, so a batch of 4 and
 * four batches of 1 differ in the last bits, see the README); and the data-set figures are sums of
 * integer counts merged in image order, whatever the order of arrival. The "seconds" of
 * robustness.json are the executors' compute time summed over the batches this run evaluated (a
 * batch reused from its per-image files counts nothing).
 *
 * <p>Fault tolerance is Spark's: a task lost with its executor is run again elsewhere, and since
 * every file is written to a temporary name and renamed, the retry finds either a whole file or
 * none. Temporary files of killed tasks are removed when the job ends.
 */
public final class DistributedAttack {
    private final String[] args;
    private final String device;

    /**
     * @param args the options of {@code ./run attack}, as given (Hadoop URIs in --data and --checkpoint allowed)
     * @param device "cpu" or "gpu", where the executors run the model
     */
    public DistributedAttack(String[] args, String device) {
        this.args = args.clone();
        this.device = device;
    }

    /** The job of {@code args} in this JVM: --data and --checkpoint URIs copied to local disk first ({@link Staging}). */
    static AttackJob localJob(String[] args) {
        return AttackCommand.parse(Staging.localise(args));
    }

    /** Runs the job on {@code sc}'s executors; writes and returns what {@code ./run attack} would. */
    public AttackJob.Result run(JavaSparkContext sc) {
        AttackJob job = localJob(args);
        if (job.out().toString().contains("://")) {
            throw new IllegalArgumentException("--out must be a directory that the driver and every executor can write "
                    + "(a shared file system), not a URI: " + job.out());
        }
        AttackJob.Plan plan = job.plan();
        List<String> fingerprints = new ArrayList<>();
        List<BatchTask> tasks = new ArrayList<>();
        for (int c = 0; c < plan.checkpoints().size(); c++) {
            fingerprints.add(job.fingerprint(plan, plan.checkpoints().get(c)));
            for (int b = 0; b < plan.batches(); b++) {
                tasks.add(new BatchTask(c, b));
            }
        }
        List<ImageCounts> counts = sc.parallelize(tasks, tasks.size())
                .flatMap(new RunBatch(args, fingerprints.toArray(new String[0]), device))
                .collect();
        List<List<Robustness.ImagePoint>> points = new ArrayList<>();
        plan.checkpoints().forEach(c -> points.add(new ArrayList<>()));
        for (ImageCounts ic : counts) {
            points.get(ic.checkpoint()).add(ic.point());
        }
        removeTemporaryFiles(job.out().resolve("per-image"));
        return job.finish(plan, points);
    }

    /** The temporary names of io.AtomicFiles ({@code .NAME.EXT<digits>.tmp}) for the files the jobs write. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("^\\..+\\.(json|png|md)-?\\d+\\.tmp$");

    /** The temporary files that tasks killed mid-write left under {@code dir}; harmless, but not part of the output. */
    static void removeTemporaryFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The executors' side of a task: the job's per-batch code on this JVM's model. */
    private record RunBatch(String[] args, String[] fingerprints, String device) implements FlatMapFunction<BatchTask, ImageCounts> {
        @Override
        public Iterator<ImageCounts> call(BatchTask task) {
            return ExecutorState.of(args, device).run(task, fingerprints[task.checkpoint()]).iterator();
        }
    }
}
