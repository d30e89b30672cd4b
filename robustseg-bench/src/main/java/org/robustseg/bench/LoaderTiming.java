package org.robustseg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.SegDataset;
import org.robustseg.io.FileTrees;
import org.robustseg.train.Augmentation;

/**
 * Time the {@link BatchLoader} needs per batch when nothing hides it (the consumer takes batches
 * as fast as they come): augmentation and assembly from the decoded in-memory copy of the data
 * that the Trainer keeps, with the default augmentation, as in training.
 */
public final class LoaderTiming {
    static final int PREFETCH = BatchLoader.PREFETCH;

    private LoaderTiming() {}

    /** Median, p10 and p90 ms per batch of the second epoch (the first warms up the thread and JIT). */
    static double[] msPerBatch(int batch, int batches) throws IOException {
        Path tmp = Files.createTempDirectory("robustseg-loader");
        SegDataset train;
        try {
            train = ScratchScenes.training(tmp, batch * batches);
        } finally {
            FileTrees.delete(tmp); // the samples are in memory now
        }
        Augmentation aug = Augmentation.defaults();
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        epoch(new BatchLoader(train, order, batch, true, 1, aug::apply), batches);
        return BenchOperations.summary(epoch(new BatchLoader(train, order, batch, true, 2, aug::apply), batches));
    }

    /** Milliseconds between consecutive batches when the consumer takes them as fast as possible. */
    private static double[] epoch(BatchLoader loader, int batches) {
        double[] t = new double[batches];
        try (BatchLoader.Batches it = loader.iterator()) {
            long last = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                it.next();
                long now = System.nanoTime();
                t[b] = (now - last) / 1e6;
                last = now;
            }
        }
        return t;
    }
}
