package org.robustseg.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.robustseg.engine.OwnedArrays;

/**
 * Inverted dropout whose masks come from a generator held by the block, not from the engine's
 * global one: training is reproducible without reseeding global state behind the caller's back.
 * {@link #reseed(Block, long)} gives every dropout of a model its own stream derived from a seed
 * (the Trainer does so per epoch). Serialises exactly as DJL's {@code Dropout} (version 2, no
 * parameters), so checkpoints are unchanged.
 */
public final class SeededDropout extends AbstractBlock {
    private static final byte VERSION = 2;

    private final float rate;
    private SplittableRandom rng = new SplittableRandom(0);

    SeededDropout(float rate) {
        super(VERSION);
        if (rate < 0 || rate >= 1) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    /** Reseeds every SeededDropout under {@code root}, the k-th (in block order) with a stream derived from (seed, k). */
    public static void reseed(Block root, long seed) {
        SplittableRandom streams = new SplittableRandom(seed);
        reseed(root, streams);
    }

    private static void reseed(Block block, SplittableRandom streams) {
        if (block instanceof SeededDropout d) {
            d.rng = streams.split();
        }
        for (Block child : block.getChildren().values()) {
            reseed(child, streams);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training || rate == 0) {
            return new NDList(x);
        }
        float scale = 1f / (1f - rate);
        float[] mask = new float[Math.toIntExact(x.size())];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextFloat() < rate ? 0f : scale;
        }
        try (NDArray m = OwnedArrays.of(x.getManager(), mask, x.getShape())) {
            NDArray typed = m.toType(x.getDataType(), false).toDevice(x.getDevice(), false);
            NDArray out = x.mul(typed);
            if (typed != m) {
                typed.close();
            }
            return new NDList(out);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != version) {
            throw new MalformedModelException("unsupported dropout version " + loadVersion);
        }
        readInputShapes(is);
    }

    @Override
    public String toString() {
        return "SeededDropout(" + rate + ")";
    }
}
