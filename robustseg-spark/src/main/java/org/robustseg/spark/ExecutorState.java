package org.robustseg.spark;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.cli.robustness.AttackJob;
import org.robustseg.engine.EngineGuard;
import org.robustseg.metric.Robustness;
import org.robustseg.model.SegmentationModel;

/**
 * What one executor JVM keeps between tasks of a job: the job rebuilt from its options, its plan,
 * and each checkpoint's model, loaded on first use and kept until the JVM ends — a checkpoint is
 * read once per executor, not once per task.
 *
 * <p>Tasks of one JVM run one at a time ({@link #run} is synchronized): DJL allows one
 * GradientCollector per process and the model's parameters are frozen and unfrozen around each
 * input gradient, so two attacks cannot share a model concurrently. An executor with several cores
 * therefore gains nothing over one core per executor JVM: give executors one core each (and
 * libtorch the node's threads), as the README's launch lines do.
 */
final class ExecutorState {
    private final AttackJob job;
    private final AttackJob.Plan plan;
    private final Device device;
    private final List<SegmentationModel> models = new ArrayList<>();

    private ExecutorState(String[] args, String deviceName) {
        EngineGuard.requireHealthy(); // once per JVM, as the CLI does before a command that computes
        this.device = SparkOptions.device(deviceName);
        this.job = DistributedAttack.localJob(args);
        this.plan = job.plan();
        plan.checkpoints().forEach(c -> models.add(null));
    }

    /** This JVM's state for the job of {@code args}; built on first use. */
    static ExecutorState of(String[] args, String deviceName) {
        return JvmCache.get(JvmCache.key("attack", deviceName, args), () -> new ExecutorState(args, deviceName));
    }

    /** Runs one task: the job's own per-batch code, on this JVM's copy of the model. */
    synchronized List<ImageCounts> run(BatchTask task, String fingerprint) {
        EngineGuard.engineThread(); // Spark's task threads are new to libtorch, which starts them with grad mode on
        int c = task.checkpoint();
        if (models.get(c) == null) {
            models.set(c, job.loadModel(plan.checkpoints().get(c), plan, device));
        }
        List<ImageCounts> out = new ArrayList<>();
        for (Robustness.ImagePoint p : job.batch(plan, c, fingerprint, models.get(c), task.batch())) {
            out.add(ImageCounts.of(c, p));
        }
        return out;
    }
}
