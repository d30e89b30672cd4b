package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Initial weights and dropout depend on the given seed only, and never touch the engine's random stream. */
class SeedingTest {
    private static final ModelSpec SPEC = new ModelSpec("pspnet-lite", 11, false);

    private static float[] weights(long seed) {
        try (SegmentationModel model = ModelZoo.create(SPEC, seed)) {
            return flat(model);
        }
    }

    private static float[] flat(SegmentationModel model) {
        float[][] parts = model.block().getParameters().values().stream().map(p -> p.getArray().toFloatArray())
                .toArray(float[][]::new);
        float[] all = new float[Arrays.stream(parts).mapToInt(a -> a.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static float[] engineDraws(long seed, Runnable between) {
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) seed);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            between.run();
            return m.randomUniform(0, 1, new Shape(8)).toFloatArray();
        }
    }

    @Test
    void sameSeedSameWeightsWhateverRanBefore() {
        float[] first = weights(5);
        Engine.getEngine("PyTorch").setRandomSeed(12345);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            m.randomNormal(new Shape(100)); // advance the global stream
        }
        weights(99);
        assertArrayEquals(first, weights(5));
    }

    @Test
    void creatingAModelLeavesTheCallersRandomStreamAlone() {
        float[] undisturbed = engineDraws(42, () -> {});
        float[] aroundCreate = engineDraws(42, () -> weights(7));
        assertArrayEquals(undisturbed, aroundCreate, "ModelZoo.create reseeded or advanced the engine's generator");
    }

    @Test
    void seedsDifferingOnlyAboveBit32GiveDifferentWeights() {
        long low = 5;
        long high = low + (1L << 32); // the same int after a (int) cast
        assertEquals((int) low, (int) high);
        assertFalse(Arrays.equals(weights(low), weights(high)));
    }

    /** Weights follow DJL's default He normal, std √(2/fan-in), computed here from the shape. */
    @Test
    void weightsAreHeNormal() {
        try (SegmentationModel model = ModelZoo.create(SPEC, 3)) {
            int checked = 0;
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                Parameter param = p.getValue();
                Shape s = param.getArray().getShape();
                if (param.getType() != Parameter.Type.WEIGHT || s.size() < 5000) {
                    continue;
                }
                long fanIn = s.size() / s.get(0);
                float[] w = param.getArray().toFloatArray();
                double sum = 0;
                double sq = 0;
                for (float v : w) {
                    sum += v;
                    sq += (double) v * v;
                }
                double mean = sum / w.length;
                double std = Math.sqrt(sq / w.length - mean * mean);
                double expected = Math.sqrt(2.0 / fanIn);
                assertEquals(expected, std, 0.05 * expected, p.getKey());
                assertEquals(0, mean, 0.1 * expected, p.getKey());
                checked++;
            }
            assertTrue(checked > 3, "only " + checked + " weights checked");
        }
    }

    @Test
    void dropoutMasksComeFromTheBlocksOwnStream() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SeededDropout d = new SeededDropout(0.25f);
            NDArray x = m.ones(new Shape(4, 8, 16, 16));
            d.initialize(m, DataType.FLOAT32, x.getShape());
            ParameterStore ps = new ParameterStore(m, false);
            SeededDropout.reseed(d, 1);
            float[] a = d.forward(ps, new NDList(x), true).get(0).toFloatArray();
            Engine.getEngine("PyTorch").setRandomSeed(77); // must not matter
            SeededDropout.reseed(d, 1);
            float[] b = d.forward(ps, new NDList(x), true).get(0).toFloatArray();
            assertArrayEquals(a, b);
            SeededDropout.reseed(d, 2);
            assertFalse(Arrays.equals(a, d.forward(ps, new NDList(x), true).get(0).toFloatArray()));
            int zeros = 0;
            for (float v : a) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.75f, v, 1e-6f); // inverted dropout keeps the expectation
                }
            }
            assertEquals(0.25, (double) zeros / a.length, 0.02);
            assertArrayEquals(x.toFloatArray(), d.forward(ps, new NDList(x), false).get(0).toFloatArray());
        }
    }

    /** Checkpoints written with DJL's Dropout load into models built with SeededDropout. */
    @Test
    void serialisesAsDjlsDropout() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape in = new Shape(1, 4);
            SequentialBlock djl = new SequentialBlock().add(Dropout.builder().optRate(0.1f).build());
            djl.initialize(m, DataType.FLOAT32, in);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                djl.saveParameters(out);
            }
            SequentialBlock ours = new SequentialBlock().add(new SeededDropout(0.1f));
            ours.initialize(m, DataType.FLOAT32, in);
            ours.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(again)) {
                ours.saveParameters(out);
            }
            assertArrayEquals(bytes.toByteArray(), again.toByteArray());
        }
    }
}
