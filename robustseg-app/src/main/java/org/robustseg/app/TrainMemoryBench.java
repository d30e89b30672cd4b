package org.robustseg.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.ProgressListener;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.train.Augmentation;
import org.robustseg.train.RunMode;
import org.robustseg.train.StandardRecipe;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Memory soak of the real training loop: runs N training steps of pspnet-lite in one process
 * and prints resident memory at checkpoints of the step count. Native memory must stay flat
 * (per-step sub-managers); the figure printed is growth from step N/10 to step N.
 */
@Command(name = "train-memory", mixinStandardHelpOptions = true,
        description = "Resident memory over many training steps (must stay flat).")
final class TrainMemoryBench implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--model", defaultValue = "pspnet-lite", description = "Architecture (default ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("robustseg-soak");
        int scenes = 20 * batch; // 20 steps per epoch
        FashionScenes.builder().trainSize(scenes).valSize(0).seed(0).build().write(tmp.resolve("data"));
        SegDataset train = DataSets.inMemory(DataSets.open(tmp.resolve("data"), Split.TRAIN));
        int stepsPerEpoch = scenes / batch;
        int epochs = Math.max(1, steps / stepsPerEpoch);
        long early = Math.max(1, epochs * stepsPerEpoch / 10);
        double[] rss = new double[2];
        ProgressListener sampler = new ProgressListener() {
            long done;

            @Override
            public void start(String task, long total) {}

            @Override
            public void advance(long n, String status) {
                done += n;
                if (done == early || done % (stepsPerEpoch * 10L) == 0 || done == (long) epochs * stepsPerEpoch) {
                    double m = ResidentMemory.mib();
                    if (done == early) {
                        rss[0] = m;
                    }
                    rss[1] = m;
                    System.out.printf("step %6d  resident %.1f MiB%n", done, m);
                }
            }

            @Override
            public void finish() {}
        };
        TrainConfig config = new TrainConfig(model, "standard", epochs, batch, 0, "sgd", 0.01f, 0.9f, 1e-4f, 0.9f, 0.4f,
                Augmentation.defaults());
        new Trainer(config, new StandardRecipe(), train, null).progress(sampler).run(tmp.resolve("run"), RunMode.FRESH);
        System.out.printf("resident memory: %.1f MiB at step %d, %.1f MiB at step %d: growth %.2f%%%n",
                rss[0], early, rss[1], (long) epochs * stepsPerEpoch, 100 * (rss[1] - rss[0]) / rss[0]);
        try (var files = Files.walk(tmp)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return 0;
    }
}
