package org.robustseg.batch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;

/**
 * Iterates over batches of a data set in a given order, loading and augmenting on a
 * background thread a few batches ahead, so that the training thread only computes.
 * Every sample gets its own {@link Random} derived from (seed, position), so the batches are
 * the same whatever the timing of the threads. A consumer that stops early closes its
 * {@link Batches} iterator, which stops and joins the thread; a failure of any kind while loading
 * (an Error as well as an exception) is rethrown to the consumer by {@link Batches#next()}.
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

    /**
     * Starts a producer thread for one pass over the order. Close the returned iterator when
     * stopping before its end (a for-each loop cannot): closing stops and joins the producer.
     * It also ends by itself once the last batch is handed over.
     */
    @Override
    public Batches iterator() {
        return new Batches(batches());
    }

    /** What the producer hands over instead of a batch when loading failed: any Throwable. */
    private record Failure(Throwable cause) {}

    /** One pass over the batches, fed by its own producer thread. */
    public final class Batches implements Iterator<Batch>, AutoCloseable {
        private final int total;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
        private final Thread producer;
        private int next;
        private boolean failed;
        private boolean closed;

        private Batches(int total) {
            this.total = total;
            this.producer = new Thread(this::produce, "robustseg-batch-loader");
            producer.setDaemon(true);
            producer.start();
        }

        private void produce() {
            try {
                for (int b = 0; b < total; b++) {
                    Object item;
                    try {
                        item = assemble(b);
                    } catch (Throwable t) { // an Error too: the consumer must hear of it, not wait forever
                        item = new Failure(t);
                    }
                    queue.put(item);
                    if (item instanceof Failure) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // closed by the consumer
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean hasNext() {
            if (next >= total || failed || closed) {
                close();
                return false;
            }
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object item = take();
            next++;
            if (item instanceof Failure f) {
                failed = true;
                close();
                if (f.cause() instanceof RuntimeException e) {
                    throw e;
                }
                if (f.cause() instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException("loading batch " + (next - 1) + " failed: " + f.cause(), f.cause());
            }
            return (Batch) item;
        }

        /**
         * The next item; polls rather than blocks, so that a producer that died without handing
         * anything over (it cannot, short of a bug here) is an error and not a hang.
         */
        private Object take() {
            try {
                while (true) {
                    Object item = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (item != null) {
                        return item;
                    }
                    if (!producer.isAlive() && queue.isEmpty()) {
                        throw new IllegalStateException("the batch loader thread ended before batch " + next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while loading batches", e);
            }
        }

        /** Stops the producer (it may be blocked on a full queue) and waits for it to end. Idempotent. */
        @Override
        public void close() {
            closed = true;
            producer.interrupt();
            // a pending interrupt of this thread would make join() return at once, again and again
            boolean interrupted = Thread.interrupted();
            while (producer.isAlive()) {
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    interrupted = true; // still join: the point of close is that no producer outlives it
                }
            }
            queue.clear();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Tests: the producer thread. */
        Thread producer() {
            return producer;
        }
    }
}
