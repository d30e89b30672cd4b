package org.robustseg.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Tests: what can happen between a forward pass and its backward pass in a long run, made to
 * happen now. Collects garbage (so DJL's direct buffers whose wrappers are gone get freed), then
 * fills the small native chunks that freeing returns to the allocator with 1e30, so that a
 * backward pass that reads freed memory gets an absurd value instead of, by luck, the old one.
 */
public final class GcChurn {
    private static final List<ByteBuffer> FILLERS = new ArrayList<>();

    private GcChurn() {}

    public static synchronized void now() {
        FILLERS.clear();
        for (int k = 0; k < 3; k++) {
            System.gc();
            try {
                Thread.sleep(30); // the reference handler frees the buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * (1 + i % 16)).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(1e30f);
            }
            FILLERS.add(b);
        }
    }
}
