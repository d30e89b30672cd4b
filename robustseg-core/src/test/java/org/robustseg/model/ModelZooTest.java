package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelZooTest {
    @Test
    void registersTheFourPresets() {
        // other tests in the same JVM may register their own test architectures after the presets
        assertEquals(List.of("pspnet-lite", "deeplabv3-lite", "pspnet-resnet50", "deeplabv3-resnet50"),
                List.copyOf(ModelZoo.names()).subList(0, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.architecture("unet"));
        assertTrue(e.getMessage().contains("unknown model 'unet'") && e.getMessage().contains("pspnet-lite"), e.getMessage());
    }

    /**
     * Non-square, non-divisible inputs: logits must come back at exactly the input size; the
     * auxiliary output exists only in training and only for models with an auxiliary head.
     */
    @ParameterizedTest
    @CsvSource({
        "pspnet-lite,        11, 2, 64, 48,  true,   300000,  1500000",
        "deeplabv3-lite,     11, 2, 64, 48,  false,  300000,  1500000",
        "pspnet-resnet50,    21, 2, 65, 97,  true, 46000000, 50000000",
        "deeplabv3-resnet50, 21, 2, 65, 97,  true, 38000000, 43000000",
    })
    void logitsAtInputResolutionAndParameterCount(String name, int classes, int n, int h, int w, boolean aux, long minParams, long maxParams) {
        try (SegmentationModel model = SegmentationModel.create(name, classes, 0);
                NDManager step = model.manager().newSubManager()) {
            long params = model.parameterCount();
            System.out.printf("%s (%d classes): %,d trainable parameters%n", name, classes, params);
            assertTrue(params >= minParams && params <= maxParams, name + " has " + params + " parameters");

            NDArray x = step.randomUniform(0, 1, new Shape(n, 3, h, w));
            NDList eval = model.forward(x, false);
            assertEquals(1, eval.size());
            assertEquals(new Shape(n, classes, h, w), eval.get(0).getShape());
            assertTrue(Float.isFinite(eval.get(0).abs().max().getFloat()));

            NDList train = model.forward(x, true);
            assertEquals(aux ? 2 : 1, train.size());
            for (NDArray out : train) {
                assertEquals(new Shape(n, classes, h, w), out.getShape());
            }
        }
    }

    /** The study depends on output stride 8: a 64×64 image gives 8×8 features for both encoders. */
    @Test
    void encodersHaveOutputStride8() {
        for (ResNetBackbone.Builder b : List.of(ResNetBackbone.lite(), ResNetBackbone.resnet50())) {
            ResNetBackbone backbone = b.build();
            assertEquals(8, backbone.outputStride());
            Shape[] out = backbone.getOutputShapes(new Shape[] {new Shape(1, 3, 64, 64)});
            int[] ch = backbone.stageChannels();
            assertEquals(new Shape(1, ch[3], 8, 8), out[0]);
            assertEquals(new Shape(1, ch[2], 8, 8), out[1]);
        }
        assertArrayEquals(new int[] {256, 512, 1024, 2048}, ResNetBackbone.resnet50().build().stageChannels());
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() {
        for (String name : List.of("pspnet-lite", "deeplabv3-lite")) {
            try (SegmentationModel a = SegmentationModel.create(name, 11, 42);
                    SegmentationModel b = SegmentationModel.create(name, 11, 42);
                    SegmentationModel c = SegmentationModel.create(name, 11, 43)) {
                List<Pair<String, Parameter>> pa = a.block().getParameters().stream().toList();
                List<Pair<String, Parameter>> pb = b.block().getParameters().stream().toList();
                List<Pair<String, Parameter>> pc = c.block().getParameters().stream().toList();
                assertEquals(pa.size(), pb.size());
                int differing = 0;
                int weights = 0;
                for (int i = 0; i < pa.size(); i++) {
                    NDArray wa = pa.get(i).getValue().getArray();
                    assertEquals(pa.get(i).getKey(), pb.get(i).getKey());
                    assertArrayEquals(wa.toFloatArray(), pb.get(i).getValue().getArray().toFloatArray(), 0f, pa.get(i).getKey());
                    if (pa.get(i).getValue().getType() == Parameter.Type.WEIGHT) {
                        weights++;
                        if (!wa.contentEquals(pc.get(i).getValue().getArray())) {
                            differing++;
                        }
                    }
                }
                assertTrue(weights > 10);
                assertEquals(weights, differing, "every conv weight should change with the seed");
            }
        }
    }

    /** He-normal conv weights (std = sqrt(2 / fan_in)); BN gamma 1, beta 0, running mean 0, var 1. */
    @Test
    void initialisationIsKaimingNormalWithIdentityBatchNorm() {
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 1)) {
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                NDArray a = p.getValue().getArray();
                switch (p.getValue().getType()) {
                    case WEIGHT -> {
                        Shape s = a.getShape();
                        long fanIn = s.size() / s.get(0);
                        if (a.size() >= 10000) {
                            double std = Math.sqrt(a.sub(a.mean()).square().mean().getFloat());
                            assertEquals(Math.sqrt(2.0 / fanIn), std, 0.05 * Math.sqrt(2.0 / fanIn), p.getKey());
                        }
                    }
                    case GAMMA, RUNNING_VAR -> assertEquals(a.size(), a.sum().getFloat(), 0f, p.getKey());
                    case BETA, BIAS, RUNNING_MEAN -> assertEquals(0f, a.abs().sum().getFloat(), 0f, p.getKey());
                    default -> fail("unexpected parameter " + p.getKey());
                }
            }
        }
    }

    /** Casting converts every parameter and keeps the function: float64 logits match float32 ones. */
    @Test
    void castToFloat64KeepsTheFunction() {
        try (SegmentationModel model = SegmentationModel.create("deeplabv3-lite", 11, 3);
                NDManager step = model.manager().newSubManager()) {
            NDArray x = step.randomUniform(0, 1, new Shape(2, 3, 32, 40));
            float[] before = model.logits(x).toFloatArray();
            model.cast(DataType.FLOAT64);
            assertEquals(DataType.FLOAT64, model.dataType());
            NDArray after = model.logits(x.toType(DataType.FLOAT64, false));
            assertEquals(DataType.FLOAT64, after.getDataType());
            assertArrayEquals(before, after.toType(DataType.FLOAT32, false).toFloatArray(), 1e-4f);
        }
    }
}
