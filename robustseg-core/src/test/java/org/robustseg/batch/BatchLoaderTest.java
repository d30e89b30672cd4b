package org.robustseg.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.robustseg.data.ClassSet;
import org.robustseg.data.ClassSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;

/** The loader's thread: it never outlives a closed iterator, and every failure reaches the consumer. */
class BatchLoaderTest {
    /** n tiny 2×2 samples; get(failAt) throws {@code failure} (when not null). */
    private static SegDataset data(int n, int failAt, Throwable failure, AtomicInteger loads) {
        return new SegDataset() {
            @Override
            public String name() {
                return "tiny";
            }

            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                loads.incrementAndGet();
                if (index == failAt && failure != null) {
                    sneakyThrow(failure);
                }
                return new SegSample("s" + index, 2, 2, new float[12], new int[] {index % 2, 0, 1, 255});
            }

            @Override
            public ClassSet classes() {
                return ClassSets.fashionScenes();
            }

            @Override
            public String contentHash() {
                return "tiny";
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void closingAnIteratorThatStoppedEarlyStopsAndJoinsTheProducer() throws InterruptedException {
        AtomicInteger loads = new AtomicInteger();
        // 100 batches: the producer fills the prefetch queue and blocks on put, forever under the old code
        BatchLoader loader = BatchLoader.sequential(data(100, -1, null, loads), 1);
        BatchLoader.Batches it = loader.iterator();
        it.next();
        Thread producer = it.producer();
        // let the producer run ahead until it blocks on the full queue
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(producer.isAlive());
        it.close();
        assertFalse(producer.isAlive(), "close() returned while the loader thread still runs");
        int loaded = loads.get();
        Thread.sleep(50);
        assertEquals(loaded, loads.get(), "samples were loaded after close()");
        assertTrue(loaded <= 1 + BatchLoader.PREFETCH + 1, "loaded " + loaded);
        assertFalse(it.hasNext());
        it.close(); // idempotent
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anErrorInTheProducerReachesTheConsumer() throws InterruptedException {
        // an Error (not an Exception) used to kill the producer silently and leave next() waiting forever
        Error boom = new AssertionError("boom in sample 2");
        BatchLoader loader = BatchLoader.sequential(data(5, 2, boom, new AtomicInteger()), 1);
        BatchLoader.Batches it = loader.iterator();
        it.next();
        it.next();
        Error thrown = assertThrows(Error.class, it::next);
        assertSame(boom, thrown);
        assertFalse(it.hasNext());
        it.producer().join(5000);
        assertFalse(it.producer().isAlive());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void exceptionsKeepTheirTypeAndCheckedOnesAreWrapped() {
        IllegalStateException bad = new IllegalStateException("corrupt png");
        BatchLoader.Batches a = BatchLoader.sequential(data(3, 0, bad, new AtomicInteger()), 2).iterator();
        assertSame(bad, assertThrows(IllegalStateException.class, a::next));
        Exception checked = new java.io.IOException("disk gone");
        BatchLoader.Batches b = BatchLoader.sequential(data(3, 1, checked, new AtomicInteger()), 2).iterator();
        IllegalStateException wrapped = assertThrows(IllegalStateException.class, b::next);
        assertSame(checked, wrapped.getCause());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFullPassEndsTheProducerWithoutClose() throws InterruptedException {
        BatchLoader loader = BatchLoader.sequential(data(5, -1, null, new AtomicInteger()), 2);
        BatchLoader.Batches it = loader.iterator();
        int batches = 0;
        int samples = 0;
        while (it.hasNext()) {
            samples += it.next().size();
            batches++;
        }
        assertEquals(3, batches);
        assertEquals(5, samples);
        it.producer().join(5000);
        assertFalse(it.producer().isAlive());
    }
}
