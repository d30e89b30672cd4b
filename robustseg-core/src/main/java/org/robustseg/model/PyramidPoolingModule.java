package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PSPNet's pyramid pooling module (Zhao et al. 2017): average-pool the features to b×b for
 * each bin size b, reduce each with 1×1 conv + BN + ReLU, upsample back and concatenate with
 * the input. Output channels: {@code in + bins.length · branchChannels}.
 *
 * <p>In training the 1×1 bin needs a batch of at least 2 (BatchNorm over a single value).
 */
public final class PyramidPoolingModule extends AbstractBlock {
    private final int[] bins;
    private final int branchChannels;
    private final Block[] branches;

    public PyramidPoolingModule(int[] bins, int branchChannels) {
        this.bins = bins.clone();
        this.branchChannels = branchChannels;
        branches = new Block[bins.length];
        for (int i = 0; i < bins.length; i++) {
            branches[i] = addChildBlock("pool" + bins[i], Layers.convBnRelu(branchChannels, 1));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList parts = new NDList(bins.length + 1);
        parts.add(x);
        for (int i = 0; i < bins.length; i++) {
            NDArray pooled = SpatialOps.adaptiveAvgPool(x, bins[i]);
            NDArray y = branches[i].forward(ps, new NDList(pooled), training).singletonOrThrow();
            parts.add(SpatialOps.resize(y, h, w));
        }
        return new NDList(NDArrays.concat(parts, 1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (int i = 0; i < bins.length; i++) {
            branches[i].initialize(manager, dataType, new Shape(in.get(0), in.get(1), bins[i], bins[i]));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1) + (long) bins.length * branchChannels, in.get(2), in.get(3))};
    }
}
