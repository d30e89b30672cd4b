package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;
import org.robustseg.engine.OwnedArrays;

/**
 * DJL's default weight initialisation (Xavier, Gaussian, fan-in, magnitude 2: He normal with
 * std √(2 / fan-in)), but drawn from a generator of its own, seeded by the full 64-bit seed. The
 * engine's global generator would need reseeding — which changes the caller's random stream and
 * takes only 32 bits of the seed — and would make the weights depend on what ran before.
 * Parameters draw in initialisation order, which the block tree fixes.
 */
final class SeededInitializer implements Initializer {
    private final SplittableRandom rng;

    SeededInitializer(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        if (shape.dimension() < 2) {
            throw new IllegalArgumentException("a weight needs at least 2 dimensions, got " + shape);
        }
        long fanIn = shape.get(1) * (shape.dimension() > 2 ? shape.slice(2).size() : 1);
        double std = Math.sqrt(2.0 / fanIn);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rng.nextGaussian() * std);
        }
        NDArray a = OwnedArrays.of(manager, values, shape);
        return dataType == DataType.FLOAT32 ? a : a.toType(dataType, false);
    }
}
