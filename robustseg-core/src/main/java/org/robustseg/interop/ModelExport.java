package org.robustseg.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.io.AtomicFiles;
import org.robustseg.model.PyTorchNames;
import org.robustseg.model.SegmentationModel;

/**
 * Writes a model for use outside robustseg, always with a {@link ModelCard} beside it:
 * <ul>
 *   <li>a zoo network as {@value #SAFETENSORS}: its weights and BatchNorm statistics by PyTorch
 *       {@code state_dict} name ({@link PyTorchNames}), loadable into its twin in
 *       {@code bench/reference/reference.py}; the card names the architecture and the
 *       {@value #TORCHSCRIPT} that the reference's export script makes from it. The card's input
 *       conversion is the identity: robustseg's networks take [0,1] RGB and normalise inside.</li>
 *   <li>an imported (e.g. fine-tuned) TorchScript network as {@value #TORCHSCRIPT}: its module with
 *       the current weights and buffers, loadable by {@code torch.jit.load} and by robustseg.</li>
 * </ul>
 */
public final class ModelExport {
    public static final String SAFETENSORS = "model.safetensors";
    public static final String TORCHSCRIPT = "model.pt";

    private ModelExport() {}

    /**
     * Writes {@code dir/model.safetensors} and {@code dir/card.json} for a zoo model.
     *
     * @param classes the class names the card lists (as many as the model predicts)
     * @param provenance recorded in the card (and as the safetensors metadata "provenance")
     */
    public static void safetensors(SegmentationModel model, List<String> classes, Path dir, JsonNode provenance) {
        if (classes.size() != model.numClasses()) {
            throw new IllegalArgumentException(classes.size() + " class names for a model of " + model.numClasses() + " classes");
        }
        Map<String, Parameter> state = PyTorchNames.stateDict(model);
        try (NDManager m = model.manager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : state.entrySet()) {
                tensors.put(e.getKey(), e.getValue().getArray().toType(DataType.FLOAT32, true));
                if (e.getKey().endsWith(".running_var")) {
                    // PyTorch's BatchNorm also keeps a step counter; it matters only with momentum=None, which the twins do not use
                    String prefix = e.getKey().substring(0, e.getKey().length() - "running_var".length());
                    tensors.put(prefix + "num_batches_tracked", OwnedArrays.of(m, new long[] {0L}, new Shape()));
                }
            }
            Safetensors.write(dir.resolve(SAFETENSORS), tensors, Map.of("format", "pt", "architecture", model.name(),
                    "provenance", provenance.toString()));
        }
        ModelCard card = new ModelCard(TORCHSCRIPT, null, classes, ModelCard.Input.identity(), ModelCard.Output.tensor(), 255, null)
                .withExtra("architecture", TextNode.valueOf(model.name()))
                .withExtra("safetensors", TextNode.valueOf(SAFETENSORS))
                .withExtra("provenance", provenance);
        AtomicFiles.write(dir.resolve(ModelCard.FILE_NAME), card.toBytes());
    }

    /** Writes {@code dir/model.pt} and {@code dir/card.json} for an imported TorchScript network (fine-tuned or not). */
    public static void torchScript(SegmentationModel model, Path dir, JsonNode provenance) {
        if (!(model.block() instanceof TorchScriptNetwork script)) {
            throw new IllegalArgumentException(model.name() + " is not a TorchScript network: export it as safetensors "
                    + "and make its TorchScript with bench/reference's export script (PyTorch writes TorchScript, robustseg cannot)");
        }
        AtomicFiles.write(dir.resolve(TORCHSCRIPT), script.moduleBytes());
        ModelCard card = script.card().withTorchScript(TORCHSCRIPT).withExtra("provenance", provenance);
        AtomicFiles.write(dir.resolve(ModelCard.FILE_NAME), card.toBytes());
    }
}
