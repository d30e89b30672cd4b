package org.robustseg.optim;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
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

    /** The model's weight (C×3×1×1, flattened) and bias (C) values, for closed-form expectations. */
    public static float[][] weightAndBias(SegmentationModel model) {
        float[][] wb = new float[2][];
        for (Parameter p : model.block().getParameters().values()) {
            if (p.getType() == Parameter.Type.WEIGHT) {
                wb[0] = p.getArray().toFloatArray();
            } else if (p.getType() == Parameter.Type.BIAS) {
                wb[1] = p.getArray().toFloatArray();
            }
        }
        return wb;
    }

    /** A freshly initialised model with {@code classes} output channels. */
    public static SegmentationModel create(int classes, long seed) {
        return SegmentationModel.create(NAME, classes, seed);
    }
}
