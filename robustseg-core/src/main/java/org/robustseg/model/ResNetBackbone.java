package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * A dilated (atrous) ResNet encoder: a stem and four stages of {@link ResidualUnit}s. Later
 * stages trade stride for dilation (Yu &amp; Koltun; PSPNet, DeepLab), so the features keep
 * output stride 8. Forward returns {@code NDList(layer4, layer3)}: the features for the main
 * head and those for the auxiliary head.
 */
public final class ResNetBackbone extends AbstractBlock {
    private static final int STAGES = 4;

    private final SequentialBlock stem;
    private final SequentialBlock[] layers = new SequentialBlock[STAGES];
    private final int outputStride;
    private final int[] stageChannels = new int[STAGES];

    private ResNetBackbone(Builder b) {
        SequentialBlock s = Layers.convBnRelu(b.stemChannels, b.stemKernel, 2, 1);
        int stride = 2;
        if (b.stemMaxPool) {
            s.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
            stride *= 2;
        }
        stem = addChildBlock("stem", s);
        int in = b.stemChannels;
        for (int i = 0; i < STAGES; i++) {
            SequentialBlock layer = new SequentialBlock();
            for (int u = 0; u < b.depths[i]; u++) {
                ResidualUnit unit = new ResidualUnit(b.kind, in, b.widths[i], u == 0 ? b.strides[i] : 1, b.dilations[i]);
                layer.add(unit);
                in = b.widths[i] * b.kind.expansion;
            }
            layers[i] = addChildBlock("layer" + (i + 1), layer);
            stageChannels[i] = in;
            stride *= b.strides[i];
        }
        outputStride = stride;
    }

    /** The lite encoder for 64×64 images: 3×3 stem, one basic unit per stage, 8×8 features. */
    public static Builder lite() {
        return builder()
                .setStem(24, 3, false)
                .setUnits(ResidualUnit.Kind.BASIC, new int[] {32, 64, 128, 128}, new int[] {1, 1, 1, 1})
                .optStrides(2, 2, 1, 1);
    }

    /** ResNet-50 (bottleneck units [3,4,6,3]) with layer3/layer4 dilated by 2/4: output stride 8. */
    public static Builder resnet50() {
        return builder()
                .setStem(64, 7, true)
                .setUnits(ResidualUnit.Kind.BOTTLENECK, new int[] {64, 128, 256, 512}, new int[] {3, 4, 6, 3})
                .optStrides(1, 2, 1, 1);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Input resolution / feature resolution. */
    public int outputStride() {
        return outputStride;
    }

    /** Output channels of layer1..layer4. */
    public int[] stageChannels() {
        return stageChannels.clone();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = stem.forward(ps, inputs, training);
        NDArray layer3 = null;
        for (int i = 0; i < STAGES; i++) {
            x = layers[i].forward(ps, x, training);
            if (i == 2) {
                layer3 = x.singletonOrThrow();
            }
        }
        return new NDList(x.singletonOrThrow(), layer3);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        stem.initialize(manager, dataType, shapes);
        shapes = stem.getOutputShapes(shapes);
        for (SequentialBlock layer : layers) {
            layer.initialize(manager, dataType, shapes);
            shapes = layer.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = stem.getOutputShapes(inputShapes);
        Shape layer3 = null;
        for (int i = 0; i < STAGES; i++) {
            shapes = layers[i].getOutputShapes(shapes);
            if (i == 2) {
                layer3 = shapes[0];
            }
        }
        return new Shape[] {shapes[0], layer3};
    }

    /** Configures the encoder; {@code set*} are required, {@code opt*} have defaults (dilations 1,1,2,4). */
    public static final class Builder {
        private int stemChannels;
        private int stemKernel;
        private boolean stemMaxPool;
        private ResidualUnit.Kind kind;
        private int[] widths;
        private int[] depths;
        private int[] strides = {1, 2, 1, 1};
        private int[] dilations = {1, 1, 2, 4};

        private Builder() {}

        /** A strided k×k conv + BN + ReLU to {@code channels}, optionally followed by a 3×3/2 max pool. */
        public Builder setStem(int channels, int kernel, boolean maxPool) {
            stemChannels = channels;
            stemKernel = kernel;
            stemMaxPool = maxPool;
            return this;
        }

        /** Unit design, per-stage unit widths and per-stage unit counts (four each). */
        public Builder setUnits(ResidualUnit.Kind kind, int[] widths, int[] depths) {
            this.kind = kind;
            this.widths = check(widths, "widths").clone();
            this.depths = check(depths, "depths").clone();
            return this;
        }

        /** Stride of each stage's first unit. */
        public Builder optStrides(int... strides) {
            this.strides = check(strides, "strides").clone();
            return this;
        }

        /** Dilation of each stage's 3×3 convolutions. */
        public Builder optDilations(int... dilations) {
            this.dilations = check(dilations, "dilations").clone();
            return this;
        }

        public ResNetBackbone build() {
            if (kind == null || stemChannels <= 0) {
                throw new IllegalStateException("ResNetBackbone needs setStem and setUnits");
            }
            return new ResNetBackbone(this);
        }

        private static int[] check(int[] values, String what) {
            if (values.length != STAGES || Arrays.stream(values).anyMatch(v -> v < 1)) {
                throw new IllegalArgumentException(what + " must be " + STAGES + " positive values, got " + Arrays.toString(values));
            }
            return values;
        }
    }
}
