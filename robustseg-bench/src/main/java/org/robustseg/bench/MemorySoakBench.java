package org.robustseg.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegDataset;
import org.robustseg.io.FileTrees;
import org.robustseg.model.SegmentationModel;
import org.robustseg.train.RunMode;
import org.robustseg.train.StandardRecipe;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Memory soak: many attack steps (PGD-10 runs, as {@code ./run attack} executes them) and then
 * many steps of the real training loop, in one process. Resident memory is sampled and printed;
 * native memory must stay flat thanks to the per-iteration sub-managers. Growth is reported from
 * the first sample (after a tenth of the steps, when allocator pools have settled) to the last.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "Resident memory over many attack steps and training steps in one process (must stay flat).")
public final class MemorySoakBench implements Callable<Integer> {
    @Option(names = "--attack-steps", defaultValue = "5000", description = "Attack steps, in PGD-10 runs (default ${DEFAULT-VALUE}).")
    int attackSteps;

    @Option(names = "--train-steps", defaultValue = "1000", description = "Training steps (default ${DEFAULT-VALUE}).")
    int trainSteps;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--model", defaultValue = "pspnet-lite", description = "Architecture (default ${DEFAULT-VALUE}).")
    String model;

    private static final int PGD_STEPS = 10;

    @Override
    public Integer call() throws Exception {
        if (attackSteps < 10 * PGD_STEPS || trainSteps < 200 || batch < 2) {
            throw new IllegalArgumentException("--attack-steps must be at least 100, --train-steps at least 200, --batch at least 2");
        }
        System.out.printf("memory soak: %s, batch %d, 64x64: %d attack steps, then %d training steps%n", model, batch,
                attackSteps, trainSteps);
        double[] attack = attackPhase();
        double[] train = trainPhase();
        System.out.printf("attack:   resident %.1f MiB at step %d, %.1f MiB at step %d (max %.1f): growth %+.2f%%%n",
                attack[0], attackSteps / 10, attack[1], attackSteps, attack[2], 100 * (attack[1] - attack[0]) / attack[0]);
        System.out.printf("training: resident %.1f MiB at step %d, %.1f MiB at step %d (max %.1f): growth %+.2f%%%n",
                train[0], trainSteps / 10, train[1], trainSteps, train[2], 100 * (train[1] - train[0]) / train[0]);
        return 0;
    }

    /** {first sample, last sample, max} of resident MiB over the attack steps. */
    private double[] attackPhase() {
        double[] rss = {Double.NaN, Double.NaN, 0};
        GradientAttack pgd = Attacks.pgd(Norm.LINF).eps(8 / 255f).steps(PGD_STEPS);
        try (SegmentationModel m = SegmentationModel.create(model, 11, 0); NDManager outer = m.manager().newSubManager()) {
            NDArray x = outer.randomUniform(0, 1, new Shape(batch, 3, 64, 64));
            NDArray y = outer.randomInteger(0, 11, new Shape(batch, 64, 64), DataType.INT64);
            int sampleEvery = Math.max(PGD_STEPS, attackSteps / 10 / PGD_STEPS * PGD_STEPS);
            for (int done = PGD_STEPS; done <= attackSteps; done += PGD_STEPS) {
                try (NDManager s = outer.newSubManager()) {
                    pgd.seed(done).optimizer().run(m, x, y).xBest().attach(s);
                }
                if (done % sampleEvery == 0) {
                    sample("attack", done, rss);
                }
            }
        }
        return rss;
    }

    private double[] trainPhase() throws Exception {
        Path tmp = Files.createTempDirectory("robustseg-soak");
        try {
            int scenes = 20 * batch; // 20 steps per epoch
            SegDataset train = ScratchScenes.training(tmp, scenes);
            int stepsPerEpoch = scenes / batch;
            int epochs = Math.max(1, trainSteps / stepsPerEpoch);
            long total = (long) epochs * stepsPerEpoch;
            long sampleEvery = Math.max(stepsPerEpoch, total / 10 / stepsPerEpoch * stepsPerEpoch);
            double[] rss = {Double.NaN, Double.NaN, 0};
            ProgressListener sampler = new ProgressListener() {
                long done;

                @Override
                public void start(String task, long steps) {}

                @Override
                public void advance(long n, String status) {
                    done += n;
                    if (done % sampleEvery == 0) {
                        sample("training", done, rss);
                    }
                }

                @Override
                public void finish() {}
            };
            TrainConfig config = TrainConfig.builder(model).epochs(epochs).batchSize(batch).learningRate(0.01f).build();
            new Trainer(config, new StandardRecipe(), train, null).progress(sampler).run(tmp.resolve("run"), RunMode.FRESH);
            return rss;
        } finally {
            FileTrees.delete(tmp);
        }
    }

    private static void sample(String phase, long step, double[] rss) {
        double m = ResidentMemory.mib();
        if (Double.isNaN(rss[0])) {
            rss[0] = m;
        }
        rss[1] = m;
        rss[2] = Math.max(rss[2], m);
        // The JVM's own share (heap committed, code cache and metaspace) tells warm-up from a native leak.
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        System.out.printf("%-8s step %6d  resident %.1f MiB  (JVM heap committed %.1f MiB, non-heap %.1f MiB)%n", phase, step, m,
                mx.getHeapMemoryUsage().getCommitted() / 1048576.0, mx.getNonHeapMemoryUsage().getCommitted() / 1048576.0);
    }
}
