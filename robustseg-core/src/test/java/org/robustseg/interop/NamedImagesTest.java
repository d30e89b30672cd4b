package org.robustseg.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.Objectives;
import org.robustseg.provenance.Checkpoint;

/**
 * Images that carry a name (DJL names the arrays it reads from .npz or NDList files) reach an
 * imported network with an identity input conversion (what {@code ./run export} writes for the
 * zoo) as an unnamed array that is still part of the autograd graph: the input gradient is the
 * unnamed images' (found by bench/reference/export.py's round trip, where it was missing). The
 * second input gradient also shows that the first left the module's parameters alive (DJL makes
 * them on first use, and an NDScope open then used to close them).
 */
class NamedImagesTest {
    @Test
    void namedImagesGetTheSameInputGradientAsUnnamedOnes() {
        try (SegmentationModel model = Checkpoint.load(ImportedModelTest.FIXTURES.resolve("tiny_raw.card.json"));
             NDManager m = model.manager().newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 8, 8), DataType.FLOAT32);
            NDArray labels = m.randomInteger(0, 11, new Shape(2, 8, 8), DataType.INT64);
            InputGradient ig = InputGradient.of(model, x, Objectives.crossEntropy(), labels);
            float[] unnamed = ig.gradient().toFloatArray();
            NDArray named = x.duplicate();
            named.setName("images");
            float[] withName = InputGradient.of(model, named, Objectives.crossEntropy(), labels).gradient().toFloatArray();
            double norm = 0;
            for (float v : unnamed) {
                norm += v * (double) v;
            }
            assertTrue(norm > 0, "the fixture's gradient is not zero");
            assertArrayEquals(unnamed, withName, 0f);
        }
    }
}
