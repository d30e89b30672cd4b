package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DjlSmokeTest {
    @Test
    void engineLoadsOfflineAndDifferentiatesInterpolation() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomUniform(0, 1, new Shape(1, 2, 4, 4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray pooled = JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(2, 2));
                NDArray up = pooled.getNDArrayInternal().interpolation(new long[] {8, 8}, 1, false);
                gc.backward(up.sum());
            }
            assertEquals(new Shape(1, 2, 4, 4), x.getGradient().getShape());
            assertTrue(x.getGradient().sum().getFloat() > 0);
        }
    }
}
