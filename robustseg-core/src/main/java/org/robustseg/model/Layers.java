package org.robustseg.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;

/** Small building blocks shared by backbones and heads. Padding keeps "same" size for odd kernels. */
final class Layers {
    private Layers() {}

    /** A bias-free convolution (a BatchNorm follows, so a bias would be redundant). */
    static Block conv(int out, int kernel, int stride, int dilation) {
        int pad = dilation * (kernel - 1) / 2;
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(dilation, dilation))
                .optBias(false)
                .build();
    }

    /** conv → BN, the tail of a residual branch or a projection shortcut. */
    static SequentialBlock convBn(int out, int kernel, int stride, int dilation) {
        return new SequentialBlock().add(conv(out, kernel, stride, dilation)).add(Norms.batchNorm());
    }

    /** conv → BN → ReLU. */
    static SequentialBlock convBnRelu(int out, int kernel, int stride, int dilation) {
        return convBn(out, kernel, stride, dilation).add(Activation.reluBlock());
    }

    static SequentialBlock convBnRelu(int out, int kernel) {
        return convBnRelu(out, kernel, 1, 1);
    }

    /** The final 1×1 convolution to class logits; it has a bias because no BN follows. */
    static Block classifier(int numClasses) {
        return Conv2d.builder().setFilters(numClasses).setKernelShape(new Shape(1, 1)).optBias(true).build();
    }

    /** Dropout with masks from its own seeded stream (not the engine's global generator). */
    static Block dropout(float rate) {
        return new SeededDropout(rate);
    }
}
