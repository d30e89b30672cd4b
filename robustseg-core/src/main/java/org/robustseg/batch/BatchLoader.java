package org.robustseg.batch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BiFunction;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;

/**
 * Iterates over batches of a data set in a given order, loading and augmenting on a
 * background thread a few batches ahead, so that the training thread only computes.
 * Every sample gets its own {@link Random} derived from (seed, position), so the batches are
 * the same whatever the timing of the threads.
 */
public final class BatchLoader implements Iterable<Batch> {
    /** Batches the loader thread prepares ahead of the training thread. */
    public static final int PREFETCH = 4;

    private final SegDataset data;
    private final int[] order;
    private final int batchSize;
    private final boolean dropLast;
    private final long seed;
    private final BiFunction<SegSample, Random, SegSample> transform;

    /**
     * @param data the samples
     * @param order the sample indices in visiting order
     * @param batchSize samples per batch
     * @param dropLast whether an incomplete last batch is skipped (training) or kept (evaluation)
     * @param seed seed for the per-sample augmentation randomness
     * @param transform per-sample augmentation (identity for evaluation)
     */
    public BatchLoader(SegDataset data, int[] order, int batchSize, boolean dropLast, long seed,
                       BiFunction<SegSample, Random, SegSample> transform) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        this.data = data;
        this.order = order.clone();
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.seed = seed;
        this.transform = transform;
    }

    /** Visits every sample once in index order, without augmentation. */
    public static BatchLoader sequential(SegDataset data, int batchSize) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return new BatchLoader(data, order, batchSize, false, 0, (s, r) -> s);
    }

    public int batches() {
        return dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize;
    }

    /** The sample at position {@code pos} of the order, augmented deterministically. */
    private SegSample load(int pos) {
        Random rng = new Random(seed * 1_000_003L + pos);
        return transform.apply(data.get(order[pos]), rng);
    }

    private Batch assemble(int b) {
        int from = b * batchSize;
        int to = Math.min(order.length, from + batchSize);
        List<SegSample> samples = new ArrayList<>(to - from);
        for (int pos = from; pos < to; pos++) {
            samples.add(load(pos));
        }
        return Batch.of(samples);
    }

    @Override
    public Iterator<Batch> iterator() {
        int total = batches();
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
        Thread producer = new Thread(() -> {
            try {
                for (int b = 0; b < total; b++) {
                    Object item;
                    try {
                        item = assemble(b);
                    } catch (RuntimeException e) {
                        item = e;
                    }
                    queue.put(item);
                    if (item instanceof RuntimeException) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "robustseg-batch-loader");
        producer.setDaemon(true);
        producer.start();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                if (next >= total) {
                    producer.interrupt();
                    return false;
                }
                return true;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    Object item = queue.take();
                    next++;
                    if (item instanceof RuntimeException e) {
                        throw e;
                    }
                    return (Batch) item;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading batches", e);
                }
            }
        };
    }
}
