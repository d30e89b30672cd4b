package org.robustseg.app;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.train.StandardRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time of one PGD step (input gradient with parameters frozen, BN eval, projection) next to
 * one forward+backward training step on the same batch. The PGD step is the attack preset's
 * own loop run for one iteration, so it measures exactly what attacks execute.
 */
@Command(name = "attack-step", mixinStandardHelpOptions = true,
        description = "Median time of one PGD step vs one forward+backward training step.")
final class AttackStepBench implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "pspnet-lite", description = "Architecture (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", defaultValue = "64", description = "Image height and width (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--repeats", defaultValue = "20", description = "Timed repetitions after warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed warm-up repetitions (default ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        try (SegmentationModel m = SegmentationModel.create(model, 11, 0); NDManager outer = m.manager().newSubManager()) {
            NDArray x = outer.randomUniform(0, 1, new Shape(batch, 3, size, size));
            NDArray y = outer.randomInteger(0, 11, new Shape(batch, size, size), DataType.INT64);
            // A run of k iterations costs setup + k steps (+ the per-image bookkeeping of each step);
            // the marginal cost of a step is (t(11) - t(1)) / 10, which excludes the fixed setup.
            GradientAttack pgd = Attacks.pgd(Norm.LINF).eps(8 / 255f);
            double[] one = time(run(pgd.steps(1).optimizer(), m, x, y, outer));
            double[] eleven = time(run(pgd.steps(11).optimizer(), m, x, y, outer));
            double[] attack = new double[3];
            for (int i = 0; i < 3; i++) {
                attack[i] = (eleven[i] - one[i]) / 10;
            }
            double[] train = time(() -> {
                try (NDManager s = outer.newSubManager()) {
                    NDArray xi = x.duplicate();
                    xi.attach(s);
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        gc.backward(StandardRecipe.supervisedLoss(m, xi, y, 0.4f));
                    }
                    for (Pair<String, Parameter> p : m.block().getParameters()) {
                        if (p.getValue().requiresGradient()) {
                            p.getValue().getArray().getGradient().close();
                        }
                    }
                }
            });
            System.out.printf("model %s, batch %d, %dx%d, intra-op threads %s, load average %.2f, %d repetitions%n", model,
                    batch, size, size, System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), repeats);
            System.out.printf("PGD run of 1 / 11 iterations:             median %7.1f / %.1f ms%n", one[0], eleven[0]);
            System.out.printf("PGD step (marginal, input gradient + L-inf step): median %7.1f ms  (p10 %.1f, p90 %.1f)%n",
                    attack[0], attack[1], attack[2]);
            System.out.printf("training forward+backward (parameters):   median %7.1f ms  (p10 %.1f, p90 %.1f)%n", train[0], train[1], train[2]);
            System.out.printf("ratio PGD step / training step: %.2f%n", attack[0] / train[0]);
        }
        return 0;
    }

    private static Runnable run(InputOptimizer optimizer, SegmentationModel m, NDArray x, NDArray y, NDManager outer) {
        return () -> {
            try (NDManager s = outer.newSubManager()) {
                optimizer.run(m, x, y).xBest().attach(s);
            }
        };
    }

    /** Median, 10th and 90th percentile in milliseconds. */
    private double[] time(Runnable op) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return new double[] {t[repeats / 2], t[repeats / 10], t[Math.min(repeats - 1, repeats * 9 / 10)]};
    }
}
