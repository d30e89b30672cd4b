package org.robustseg.interop;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.SegmentationModel;

/**
 * An ONNX network run by DJL's ONNX Runtime engine, in robustseg's block contract. Inference
 * only: ONNX Runtime computes no gradients, so clean evaluation and score-based attacks (the
 * Square attack: forward passes only) work, and anything that needs a gradient is refused with
 * one line. robustseg's tensors live on the PyTorch engine; each forward copies the converted
 * images into ONNX Runtime and the outputs back (no graph crosses engines, which is what makes
 * a gradient impossible, not just slow).
 */
public final class OnnxNetwork extends AbstractBlock {
    private final ModelCard card;
    private final Model runtime;
    private final String source;

    private OnnxNetwork(ModelCard card, Model runtime, String source) {
        this.card = card;
        this.runtime = runtime;
        this.source = source;
    }

    /** Loads {@code file} into ONNX Runtime and wraps it; the PyTorch-side model owns (and closes) the session. */
    static SegmentationModel load(ModelCard card, Path file) {
        Model runtime = Model.newInstance(ModelSpec.ONNX, "OnnxRuntime");
        Model model = null;
        try {
            try (InputStream in = Files.newInputStream(file)) {
                runtime.load(in);
            } catch (IOException | MalformedModelException | EngineException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException(file + " is not an ONNX model ONNX Runtime can load ("
                        + ImportedModels.firstLine(cause.getMessage()) + ")", e);
            }
            model = Model.newInstance(ModelSpec.ONNX, "PyTorch");
            model.setBlock(new OnnxNetwork(card, runtime, file.toString()));
            SegmentationModel m = SegmentationModel.imported(new ModelSpec(ModelSpec.ONNX, card.numClasses()), model);
            m.manager().attachInternal("onnx-runtime-" + System.identityHashCode(runtime), runtime::close);
            ImportedModels.probe(m, card, file.toString());
            return m;
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            runtime.close();
            throw e;
        }
    }

    public ModelCard card() {
        return card;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        // Asked for a gradient: training (weights) or an input that requires one (an attack, a
        // synthesis). Not "grad mode is on": libtorch's grad mode is per thread and on by default,
        // so any thread but DJL's first (a studio job, a Spark task) would be refused even for
        // plain inference.
        if (training || images.hasGradient()) {
            throw new UnsupportedOperationException(source + " is an ONNX model: inference only (clean eval and the "
                    + "score-based square attack); this needs gradients, so use the network's TorchScript export");
        }
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException(source + " takes images N×3×H×W, got " + shape);
        }
        NDArray x = Conversion.toNetwork(card.input(), images);
        NDManager pt = images.getManager();
        Block block = runtime.getBlock();
        NDList back = new NDList();
        try (NDManager ort = runtime.getNDManager().newSubManager()) {
            NDArray in = OwnedArrays.inferenceInput(ort, x.toType(DataType.FLOAT32, false).toFloatArray(), x.getShape());
            NDList out = block.forward(new ParameterStore(ort, false), new NDList(in), false);
            for (NDArray o : out) {
                NDArray copy = OwnedArrays.of(pt, o.toType(DataType.FLOAT32, false).toFloatArray(), o.getShape());
                copy.setName(o.getName());
                back.add(copy);
            }
        } catch (EngineException e) {
            throw new IllegalArgumentException(source + " failed on input " + x.getShape() + ": "
                    + ImportedModels.firstLine(e.getMessage()), e);
        }
        return new NDList(Conversion.logits(card, back, shape, source).toType(images.getDataType(), false));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), card.numClasses(), in.get(2), in.get(3))};
    }

    @Override
    public String toString() {
        return "OnnxNetwork(" + source + ")";
    }
}
