package org.robustseg.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The DJL hazard {@link OwnedArrays} exists for, reproduced, and its operations shown immune:
 * a garbage collection between forward and backward must not change a gradient.
 */
class OwnedArraysTest {
    private static final float[] X = {0.5f, -1.5f, 2f, 3f};

    /** d/dx of sum(op(x)), with a garbage collection and allocator churn before the backward pass when asked. */
    private static float[] gradient(UnaryOperator<NDArray> op, boolean churn) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = OwnedArrays.of(m, X, new Shape(X.length));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = op.apply(x).sum();
                if (churn) {
                    GcChurn.now();
                }
                gc.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    /**
     * DJL's own x.mul(3f): the scalar's buffer is freed under autograd's feet. If this ever stops
     * failing, DJL has fixed the lifetime of its from_blob arrays and OwnedArrays could go.
     */
    @Test
    void djlScalarProductLosesItsGradientToTheGarbageCollector() {
        int corrupted = 0;
        for (int trial = 0; trial < 5; trial++) {
            float[] g = gradient(x -> x.mul(3f), true);
            if (g[0] != 3f) {
                corrupted++;
            }
        }
        assertTrue(corrupted > 0, "the hazard OwnedArrays guards against did not show in 5 trials");
    }

    @Test
    void ownedScalarOperationsKeepExactGradientsThroughGarbageCollection() {
        assertArrayEquals(new float[] {3, 3, 3, 3}, gradient(x -> OwnedArrays.mul(x, 3), true));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, gradient(x -> OwnedArrays.div(x, 4), true));
        assertArrayEquals(new float[] {1f, -3f, 4f, 6f}, gradient(x -> OwnedArrays.pow(x, 2), true));
        assertArrayEquals(new float[] {1, 0, 1, 1}, gradient(x -> OwnedArrays.maximum(x, 0), true));
        assertArrayEquals(new float[] {1, 1, 0, 0}, gradient(x -> OwnedArrays.minimum(x, 1), true));
    }

    @Test
    void ownedArraysKeepExactGradientsThroughGarbageCollection() {
        float[] w = {2f, -1f, 0.5f, 4f};
        for (int trial = 0; trial < 3; trial++) {
            float[] g = gradient(x -> {
                try (NDArray weights = OwnedArrays.of(x.getManager(), w, x.getShape())) {
                    return x.mul(weights); // the wrapper is closed at once, as DJL's scalar was
                }
            }, true);
            assertArrayEquals(w, g);
        }
    }

    @Test
    void arraysAndScalarsCarryTheirValuesShapesAndTypes() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray i = OwnedArrays.of(m, new int[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, i.toIntArray());
            assertTrue(i.getShape().equals(new Shape(2, 3)) && i.getDataType() == DataType.INT32);
            NDArray l = OwnedArrays.of(m, new long[] {7, 8});
            assertArrayEquals(new long[] {7, 8}, l.toLongArray());
            NDArray b = OwnedArrays.of(m, new boolean[] {true, false}, new Shape(2));
            assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());
            NDArray s = OwnedArrays.scalar(m, 2.5, DataType.FLOAT64);
            assertTrue(s.getShape().isScalar() && s.getDataType() == DataType.FLOAT64 && s.getDouble() == 2.5);
        }
    }
}
