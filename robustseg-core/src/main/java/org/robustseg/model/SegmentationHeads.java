package org.robustseg.model;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

/** Decoder heads: features at output stride 8 in, class logits at the same resolution out. */
public final class SegmentationHeads {
    private SegmentationHeads() {}

    /**
     * PSPNet's head: pyramid pooling, 3×3 conv + BN + ReLU to {@code channels}, dropout 0.1, 1×1
     * classifier.
     */
    public static Block pyramidPooling(int[] bins, int branchChannels, int channels, int numClasses) {
        return new SequentialBlock()
                .add(new PyramidPoolingModule(bins, branchChannels))
                .add(Layers.convBnRelu(channels, 3))
                .add(Layers.dropout(0.1f))
                .add(Layers.classifier(numClasses));
    }

    /** DeepLabV3's head as in torchvision: ASPP, 3×3 conv + BN + ReLU, 1×1 classifier. */
    public static Block deepLab(int channels, int[] rates, float asppDropout, int numClasses) {
        return new SequentialBlock()
                .add(new AtrousSpatialPyramidPooling(channels, rates, asppDropout))
                .add(Layers.convBnRelu(channels, 3))
                .add(Layers.classifier(numClasses));
    }

    /**
     * PSPNet's auxiliary head on layer3, used only for the training loss (deep supervision):
     * 3×3 conv + BN + ReLU, dropout 0.1, 1×1 classifier.
     */
    public static Block auxiliary(int channels, int numClasses) {
        return new SequentialBlock()
                .add(Layers.convBnRelu(channels, 3))
                .add(Layers.dropout(0.1f))
                .add(Layers.classifier(numClasses));
    }
}
