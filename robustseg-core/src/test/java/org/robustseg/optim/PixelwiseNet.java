package org.robustseg.optim;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import org.robustseg.model.Architecture;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;

/**
 * A test-only "segmentation net" that is a single 1×1 convolution, z_p = W·x_p + b: each pixel's
 * logits are linear in that pixel alone, so input gradients are known in closed form.
 */
public final class PixelwiseNet {
    public static final String NAME = "test-linear-1x1";

    private PixelwiseNet() {}

    static {
        ModelZoo.register(new Architecture() {
            public String name() {
                return NAME;
            }

            public String description() {
                return "a single 1×1 convolution: logits linear in the pixel, gradient known in closed form";
            }

            public Block build(int numClasses) {
                return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(numClasses).build();
            }

            public Shape initShape() {
                return new Shape(1, 3, 4, 4);
            }
        });
    }

    /** A freshly initialised model with {@code classes} output channels. */
    public static SegmentationModel create(int classes, long seed) {
        return SegmentationModel.create(NAME, classes, seed);
    }
}
