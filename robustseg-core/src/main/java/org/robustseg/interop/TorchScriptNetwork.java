package org.robustseg.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.ByteArrayOutputStream;

/**
 * A TorchScript network in robustseg's block contract: images N×3×H×W in [0,1] in, logits
 * N×C×H×W at the input resolution out. The card's input conversion (value range, channel order,
 * mean/std, fixed size) runs inside, before the module, so attack budgets stay in [0,1] pixel
 * units; the card's output selection and a bilinear upsampling to H×W run after it.
 *
 * <p>DJL's {@code PtSymbolBlock.forward(..., training=false)} runs the module under libtorch's
 * InferenceMode, where no gradient flows; robustseg needs input gradients with BatchNorm in eval
 * statistics. So this block sets the module's mode itself ({@code train()}/{@code eval()}, which
 * BatchNorm and Dropout follow) and always runs the module with autograd allowed: whether a graph
 * is recorded is then decided, as for the zoo, by the engine's grad mode (on only inside a
 * GradientCollector). The module's parameters are this block's parameters (shared storage, so an
 * in-place optimiser update changes the module); its buffers (BatchNorm running statistics) are
 * not reachable through DJL and live in the module only.
 */
public final class TorchScriptNetwork extends AbstractBlock {
    private final ModelCard card;
    private final PtSymbolBlock module;
    private final String source;
    /** The mode last set on the module; null until the first forward (a loaded module's mode is whatever was saved). */
    private Boolean moduleTraining;

    /**
     * @param card how to convert inputs and find the logits
     * @param module the loaded module, loaded with its parameters trainable
     * @param source what the module was loaded from, for error messages
     */
    TorchScriptNetwork(ModelCard card, PtSymbolBlock module, String source) {
        this.card = card;
        this.module = addChildBlock("module", module);
        this.source = source;
    }

    public ModelCard card() {
        return card;
    }

    /** The module's TorchScript bytes with its current weights and buffers (what {@code torch.jit.load} reads). */
    public byte[] moduleBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JniUtils.writeModule(module, out, false);
        return out.toByteArray();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException(source + " takes images N×3×H×W, got " + shape);
        }
        setMode(training);
        NDArray x = Conversion.toNetwork(card.input(), images);
        NDList out = IValueUtils.forward(module, new NDList(x), true);
        NDArray logits = Conversion.logits(card, out, shape, source);
        return new NDList(logits);
    }

    private void setMode(boolean training) {
        if (moduleTraining == null || moduleTraining != training) {
            if (training) {
                JniUtils.enableTrainingMode(module);
            } else {
                JniUtils.enableInferenceMode(module);
            }
            moduleTraining = training;
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), card.numClasses(), in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        // the module arrives with its weights: nothing to initialise
    }

    @Override
    public String toString() {
        return "TorchScriptNetwork(" + source + ")";
    }
}
