package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One ResNet unit: {@code relu(branch(x) + shortcut(x))}. The shortcut is the identity unless
 * the unit changes resolution or width, then a strided 1×1 conv + BN (ResNet "option B").
 */
public final class ResidualUnit extends AbstractBlock {
    /** The two unit designs of He et al. 2016; {@code expansion} = output width / unit width. */
    public enum Kind {
        /** Two 3×3 convs (ResNet-18/34); used by the lite presets. */
        BASIC(1),
        /** 1×1 reduce, 3×3, 1×1 expand (ResNet-50+); stride on the 3×3 as in torchvision. */
        BOTTLENECK(4);

        final int expansion;

        Kind(int expansion) {
            this.expansion = expansion;
        }
    }

    private final SequentialBlock branch;
    private final SequentialBlock shortcut;

    /**
     * @param kind unit design
     * @param inChannels input width (decides whether the shortcut needs a projection)
     * @param width unit width; the output has {@code width·kind.expansion} channels
     * @param stride spatial stride of the unit (1 or 2)
     * @param dilation dilation of the 3×3 convolutions (atrous backbone)
     */
    ResidualUnit(Kind kind, int inChannels, int width, int stride, int dilation) {
        int out = width * kind.expansion;
        SequentialBlock b = new SequentialBlock();
        if (kind == Kind.BASIC) {
            b.add(Layers.convBnRelu(width, 3, stride, dilation)).add(Layers.convBn(out, 3, 1, dilation));
        } else {
            b.add(Layers.convBnRelu(width, 1))
                    .add(Layers.convBnRelu(width, 3, stride, dilation))
                    .add(Layers.convBn(out, 1, 1, 1));
        }
        branch = addChildBlock("branch", b);
        shortcut = stride != 1 || inChannels != out ? addChildBlock("shortcut", Layers.convBn(out, 1, stride, 1)) : null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = branch.forward(ps, inputs, training).singletonOrThrow();
        NDArray s = shortcut == null ? x : shortcut.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(Activation.relu(y.add(s)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        branch.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return branch.getOutputShapes(inputShapes);
    }
}
