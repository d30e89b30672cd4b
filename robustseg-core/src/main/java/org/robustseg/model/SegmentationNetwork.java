package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.robustseg.engine.OwnedArrays;

/**
 * Encoder + head (+ optional auxiliary head) in robustseg's block contract: images N×3×H×W in
 * [0,1] are normalised inside (ImageNet mean/std, so attack budgets stay in pixel units), and
 * logits come back bilinearly upsampled to exactly H×W. Auxiliary logits on layer3 are
 * appended only when {@code training} is true.
 */
public final class SegmentationNetwork extends AbstractBlock {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final int numClasses;
    private final ResNetBackbone backbone;
    private final Block head;
    private final Block auxHead;

    /**
     * @param backbone encoder returning (final features, layer3 features)
     * @param head maps the final features to logits
     * @param auxHead maps layer3 features to logits, or null for none
     */
    public SegmentationNetwork(int numClasses, ResNetBackbone backbone, Block head, Block auxHead) {
        this.numClasses = numClasses;
        this.backbone = addChildBlock("backbone", backbone);
        this.head = addChildBlock("head", head);
        this.auxHead = auxHead == null ? null : addChildBlock("auxHead", auxHead);
    }

    public boolean hasAuxiliaryHead() {
        return auxHead != null;
    }

    public ResNetBackbone backbone() {
        return backbone;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        long h = images.getShape().get(2);
        long w = images.getShape().get(3);
        NDList features = backbone.forward(ps, new NDList(normalise(images)), training);
        NDArray logits = head.forward(ps, new NDList(features.get(0)), training).singletonOrThrow();
        NDList out = new NDList(SpatialOps.resize(logits, h, w));
        if (training && auxHead != null) {
            NDArray aux = auxHead.forward(ps, new NDList(features.get(1)), training).singletonOrThrow();
            out.add(SpatialOps.resize(aux, h, w));
        }
        return out;
    }

    private static NDArray normalise(NDArray images) {
        NDManager m = images.getManager();
        Shape perChannel = new Shape(1, 3, 1, 1);
        NDArray mean = OwnedArrays.of(m, MEAN, perChannel).toType(images.getDataType(), false);
        NDArray std = OwnedArrays.of(m, STD, perChannel).toType(images.getDataType(), false);
        return images.sub(mean).div(std);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] features = backbone.getOutputShapes(inputShapes);
        head.initialize(manager, dataType, features[0]);
        if (auxHead != null) {
            auxHead.initialize(manager, dataType, features[1]);
        }
    }

    /** Main logits only: the auxiliary output exists in training forwards alone. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), numClasses, in.get(2), in.get(3))};
    }
}
