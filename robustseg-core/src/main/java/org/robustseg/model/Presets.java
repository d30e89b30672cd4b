package org.robustseg.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The registered architectures. One recipe per decoder (PSPNet, DeepLabV3), parametrised by
 * the encoder and the head widths, so the lite and ResNet-50 variants differ only in numbers.
 */
final class Presets {
    /** Head widths of one preset family. */
    record HeadWidths(int ppmBranch, int pspChannels, int asppChannels, int[] asppRates, float asppDropout, int auxChannels,
                      float learningRate) {}

    /** Lite heads: ASPP rates 2/4/6 fit the 8×8 feature map of a 64×64 image. */
    /*
     * Learning rates: PSPNet's 0.01 assumes an ImageNet-pretrained backbone; the lite nets train
     * from scratch. The earlier choice of 0.1 was measured with an optimiser that never zeroed its
     * gradients (it stepped along the sum of all past gradients) and does not carry over: with
     * PyTorch's SGD (momentum 0.9, gradients zeroed every step) pspnet-lite at 0.1 reached val
     * mIoU 0.157 after 3 epochs and its loss became NaN in epoch 4; at 0.01 it reached 0.091 after
     * one epoch (0.119 at 0.1). 0.03 sits between the two; see the README for the demo's figures.
     */
    static final HeadWidths LITE = new HeadWidths(32, 64, 64, new int[] {2, 4, 6}, 0.1f, 64, 0.03f);

    /** The published widths: PPM 2048 → 4×512, 512 after fusion; ASPP 256 at rates 12/24/36. */
    static final HeadWidths RESNET50 = new HeadWidths(512, 512, 256, new int[] {12, 24, 36}, 0.5f, 256, 0.01f);

    private static final int[] PSP_BINS = {1, 2, 3, 6};

    private Presets() {}

    /** A registered name bound to a builder; {@link #build} gives a fresh block each call. */
    record Preset(String name, String description, IntFunction<Block> builder, Shape initShape, float defaultLearningRate)
            implements Architecture {
        @Override
        public Block build(int numClasses) {
            return builder.apply(numClasses);
        }
    }

    static List<Architecture> all() {
        Shape small = new Shape(1, 3, 64, 64);
        return List.of(
                pspnet("pspnet-lite", "PSPNet on a lite dilated ResNet (OS8, ~0.8M params) for 64×64 CPU training",
                        ResNetBackbone::lite, LITE, true, small),
                deeplab("deeplabv3-lite", "DeepLabV3 on a lite dilated ResNet (OS8, ~0.9M params) for 64×64 CPU training",
                        ResNetBackbone::lite, LITE, false, small),
                pspnet("pspnet-resnet50", "PSPNet with a dilated ResNet-50 (OS8), auxiliary head on layer3; random init",
                        ResNetBackbone::resnet50, RESNET50, true, small),
                deeplab("deeplabv3-resnet50", "DeepLabV3 with a dilated ResNet-50 (OS8), auxiliary head on layer3; random init",
                        ResNetBackbone::resnet50, RESNET50, true, small));
    }

    static Architecture pspnet(String name, String description, Supplier<ResNetBackbone.Builder> encoder,
            HeadWidths w, boolean aux, Shape initShape) {
        return new Preset(name, description, c -> new SegmentationNetwork(c, encoder.get().build(),
                SegmentationHeads.pyramidPooling(PSP_BINS, w.ppmBranch(), w.pspChannels(), c),
                aux ? SegmentationHeads.auxiliary(w.auxChannels(), c) : null), initShape, w.learningRate());
    }

    static Architecture deeplab(String name, String description, Supplier<ResNetBackbone.Builder> encoder,
            HeadWidths w, boolean aux, Shape initShape) {
        return new Preset(name, description, c -> new SegmentationNetwork(c, encoder.get().build(),
                SegmentationHeads.deepLab(w.asppChannels(), w.asppRates(), w.asppDropout(), c),
                aux ? SegmentationHeads.auxiliary(w.auxChannels(), c) : null), initShape, w.learningRate());
    }
}
