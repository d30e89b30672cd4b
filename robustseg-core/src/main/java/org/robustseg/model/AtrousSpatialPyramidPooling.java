package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DeepLabV3's ASPP (Chen et al. 2017): parallel 1×1 and dilated 3×3 conv + BN + ReLU branches,
 * an image-pooling branch (global average → 1×1 conv + BN + ReLU → broadcast), concatenated
 * and projected by 1×1 conv + BN + ReLU + dropout to {@code channels}.
 *
 * <p>In training the image-pooling branch needs a batch of at least 2 (BatchNorm over one value).
 */
public final class AtrousSpatialPyramidPooling extends AbstractBlock {
    private final int channels;
    private final Block[] branches;
    private final Block imagePool;
    private final Block projection;

    /**
     * @param channels width of every branch and of the output
     * @param rates dilations of the 3×3 branches; they should fit the feature map (an OS8 map of a
     *     64×64 image is 8×8, so 2/4/6 rather than 12/24/36)
     * @param dropout dropout rate after the projection
     */
    public AtrousSpatialPyramidPooling(int channels, int[] rates, float dropout) {
        this.channels = channels;
        branches = new Block[rates.length + 1];
        branches[0] = addChildBlock("conv1x1", Layers.convBnRelu(channels, 1));
        for (int i = 0; i < rates.length; i++) {
            branches[i + 1] = addChildBlock("atrous" + rates[i], Layers.convBnRelu(channels, 3, 1, rates[i]));
        }
        imagePool = addChildBlock("imagePool", Layers.convBnRelu(channels, 1));
        projection = addChildBlock("projection", new SequentialBlock().add(Layers.convBnRelu(channels, 1)).add(Layers.dropout(dropout)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList parts = new NDList(branches.length + 1);
        for (Block b : branches) {
            parts.add(b.forward(ps, inputs, training).singletonOrThrow());
        }
        NDArray pooled = imagePool.forward(ps, new NDList(SpatialOps.adaptiveAvgPool(x, 1)), training).singletonOrThrow();
        parts.add(SpatialOps.resize(pooled, h, w));
        return projection.forward(ps, new NDList(NDArrays.concat(parts, 1)), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (Block b : branches) {
            b.initialize(manager, dataType, inputShapes);
        }
        imagePool.initialize(manager, dataType, new Shape(in.get(0), in.get(1), 1, 1));
        projection.initialize(manager, dataType, new Shape(in.get(0), (long) (branches.length + 1) * channels, in.get(2), in.get(3)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), channels, in.get(2), in.get(3))};
    }
}
