package org.robustseg.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;

/**
 * Prints forward and forward+backward times per model (a benchmark, not a test). Run with
 * {@code -Dai.djl.pytorch.num_threads=2}; args: model names (default: the lite presets).
 * The objective is a plain sum over the main (and aux) logits; no optimiser update is included.
 */
public final class ModelTimings {
    private static final int WARMUP = 3;
    private static final int REPEATS = 10;

    private ModelTimings() {}

    public static void main(String[] args) {
        List<String> names = args.length > 0 ? Arrays.asList(args) : List.of("pspnet-lite", "deeplabv3-lite");
        int batch = Integer.getInteger("batch", 16);
        int size = Integer.getInteger("size", 64);
        // other processes on the machine distort the figures badly (OpenMP threads spin): print the load
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("threads=%s batch=%d size=%dx%d load(1 min)=%.2f cores=%d%n",
                System.getProperty("ai.djl.pytorch.num_threads", "default"), batch, size, size, load,
                Runtime.getRuntime().availableProcessors());
        for (String name : names) {
            try (SegmentationModel model = SegmentationModel.create(name, 11, 0)) {
                double fwd = time(model, batch, size, false);
                double fwdBwd = time(model, batch, size, true);
                System.out.printf("%-20s params=%,d  forward(eval)=%.1f ms  forward+backward(train)=%.1f ms%n",
                        name, model.parameterCount(), fwd, fwdBwd);
            }
        }
    }

    private static double time(SegmentationModel model, int batch, int size, boolean backward) {
        long total = 0;
        for (int i = 0; i < WARMUP + REPEATS; i++) {
            try (NDManager step = model.manager().newSubManager()) {
                NDArray x = step.randomUniform(0, 1, new Shape(batch, 3, size, size));
                long t0 = System.nanoTime();
                if (backward) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDList out = model.forward(x, true);
                        NDArray loss = out.get(0).mean();
                        if (out.size() > 1) {
                            loss = loss.add(out.get(1).mean().mul(0.4));
                        }
                        gc.backward(loss);
                    }
                } else {
                    model.logits(x).toFloatArray();
                }
                if (i >= WARMUP) {
                    total += System.nanoTime() - t0;
                }
            }
        }
        return total / 1e6 / REPEATS;
    }
}
