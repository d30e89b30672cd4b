package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

class FlopCounterTest {
    /** A registered toy architecture: 3→8 3×3 conv with padding 1 and stride 2, no bias; then a 1×1 classifier with bias. */
    private static final Architecture TOY = new Architecture() {
        @Override
        public String name() {
            return "flop-toy";
        }

        @Override
        public String description() {
            return "two convolutions, for FlopCounterTest";
        }

        @Override
        public Block build(int numClasses) {
            return new SequentialBlock()
                    .add(Conv2d.builder().setFilters(8).setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2))
                            .optPadding(new Shape(1, 1)).optBias(false).build())
                    .add(Conv2d.builder().setFilters(numClasses).setKernelShape(new Shape(1, 1)).optBias(true).build());
        }

        @Override
        public Shape initShape() {
            return new Shape(1, 3, 10, 10);
        }
    };

    @Test
    void countsTwoFlopsPerMultiplyAddAndOnePerBiasAdd() {
        ModelZoo.register(TOY);
        // conv1: output 2×8×5×5 = 400 values, 3·3·3 = 27 multiply-adds each; conv2: 2×5×5×5 = 250 values, 8 each, + bias.
        long expected = 2L * 400 * 27 + 2L * 250 * 8 + 250;
        FlopCounter.Flops f = FlopCounter.count("flop-toy", 5, new Shape(2, 3, 10, 10));
        assertEquals(expected, f.inference());
        assertEquals(expected, f.training(), "no auxiliary head: training forward = inference forward");
        assertEquals(2 * expected, f.attackStep());
        assertEquals(3 * expected, f.trainingStep());
    }

    /** FLOPs of one k×k convolution from {@code in} to {@code out} channels producing an h×w map: 2 per multiply-add, 1 per bias add. */
    private static long conv(int in, int out, int k, int h, int w, boolean bias) {
        long values = (long) out * h * w;
        return 2 * values * in * k * k + (bias ? values : 0);
    }

    /**
     * pspnet-lite at 1×3×64×64, 11 classes, worked out by hand from the architecture (stem 3×3/2
     * to 24; basic units 32/64/128/128 with strides 2,2,1,1, dilations 1,1,2,4 and a 1×1
     * projection shortcut where the width or resolution changes; PPM 1/2/3/6 bins 128→32; 3×3
     * fusion 256→64; 1×1 classifier with bias; aux head on layer3). Dilation and padding do not
     * change the count at stride 1, only the map sizes do.
     */
    @Test
    void pspnetLiteMatchesAHandWorkedCount() {
        long stem = conv(3, 24, 3, 32, 32, false);
        long layer1 = conv(24, 32, 3, 16, 16, false) + conv(32, 32, 3, 16, 16, false) + conv(24, 32, 1, 16, 16, false);
        long layer2 = conv(32, 64, 3, 8, 8, false) + conv(64, 64, 3, 8, 8, false) + conv(32, 64, 1, 8, 8, false);
        long layer3 = conv(64, 128, 3, 8, 8, false) + conv(128, 128, 3, 8, 8, false) + conv(64, 128, 1, 8, 8, false);
        long layer4 = conv(128, 128, 3, 8, 8, false) + conv(128, 128, 3, 8, 8, false); // identity shortcut
        long ppm = conv(128, 32, 1, 1, 1, false) + conv(128, 32, 1, 2, 2, false) + conv(128, 32, 1, 3, 3, false)
                + conv(128, 32, 1, 6, 6, false);
        long head = ppm + conv(128 + 4 * 32, 64, 3, 8, 8, false) + conv(64, 11, 1, 8, 8, true);
        long aux = conv(128, 64, 3, 8, 8, false) + conv(64, 11, 1, 8, 8, true);
        long inference = stem + layer1 + layer2 + layer3 + layer4 + head;
        assertEquals(103_801_536L, inference, "the hand count itself (pins the helper above)");
        FlopCounter.Flops f = FlopCounter.count("pspnet-lite", 11, new Shape(1, 3, 64, 64));
        assertEquals(inference, f.inference());
        assertEquals(inference + aux, f.training());
        assertEquals(2 * inference, f.attackStep());
        assertEquals(3 * (inference + aux), f.trainingStep());
    }

    @Test
    void presetsScaleWithBatchAndPixelsAndTheAuxiliaryHeadCountsOnlyInTraining() {
        FlopCounter.Flops one = FlopCounter.count("pspnet-lite", 11, new Shape(1, 3, 64, 64));
        FlopCounter.Flops batch = FlopCounter.count("pspnet-lite", 11, new Shape(4, 3, 64, 64));
        FlopCounter.Flops big = FlopCounter.count("pspnet-lite", 11, new Shape(1, 3, 128, 128));
        assertEquals(4 * one.inference(), batch.inference());
        // Convolutions scale with pixels except the pyramid-pooling branches, 1×1 128→32 on fixed
        // 1/2/3/6 bins (1 + 4 + 9 + 36 = 50 positions), whose cost stays put.
        long pyramidBranches = 2L * 32 * 128 * 50;
        assertEquals(4 * (one.inference() - pyramidBranches) + pyramidBranches, big.inference());
        // Aux head on layer3 (128 ch, 8×8): 3×3 conv to 64 + 1×1 classifier to 11 with bias.
        long aux = 2L * 64 * 64 * 128 * 9 + 2L * 11 * 64 * 64 + 11 * 64;
        assertEquals(aux, one.training() - one.inference());
        FlopCounter.Flops deeplab = FlopCounter.count("deeplabv3-lite", 11, new Shape(1, 3, 64, 64));
        assertEquals(deeplab.inference(), deeplab.training(), "deeplabv3-lite has no auxiliary head");
    }
}
