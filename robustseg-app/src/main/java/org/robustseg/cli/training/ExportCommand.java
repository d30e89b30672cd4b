package org.robustseg.cli.training;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.interop.ModelCard;
import org.robustseg.interop.ModelExport;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run export ...}: a model for use in PyTorch, with its card. A zoo model is written as
 * safetensors by PyTorch parameter name (bench/reference's export script turns it into TorchScript
 * and ONNX); an imported TorchScript network, e.g. after adversarial fine-tuning, as TorchScript.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a model for PyTorch: safetensors (robustseg's architectures) or TorchScript (an imported, "
                + "e.g. fine-tuned, network), with its card.json.")
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    CheckpointFile checkpoint;

    @Option(names = "--format", required = true, description = "safetensors (weights by PyTorch name, for robustseg's "
            + "architectures) or torchscript (for an imported network).")
    String format;

    /** A data set whose class names the card lists (default: the checkpoint's card, FashionScenes' or "class i"). */
    @Option(names = "--data", description = "Data directory whose class names the card lists (default: FashionScenes' names "
            + "for a FashionScenes model, else class 0, class 1, ...).")
    Path data;

    @Mixin
    OutputDirectory out;

    @Override
    public Integer call() throws Exception {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("safetensors") && !f.equals("torchscript")) {
            throw new IllegalArgumentException("unknown --format '" + format + "' (expected safetensors or torchscript)");
        }
        Checkpoint ckpt = checkpoint.open();
        if (!ckpt.spec().differentiable()) {
            throw new IllegalArgumentException(ckpt.file() + " is an ONNX model already: nothing to export");
        }
        if (ckpt.isImported() && f.equals("safetensors")) {
            throw new IllegalArgumentException(ckpt.file() + " is an imported TorchScript network: export it with --format "
                    + "torchscript (its BatchNorm buffers are reachable only inside the module)");
        }
        if (!ckpt.isImported() && f.equals("torchscript")) {
            throw new IllegalArgumentException(ckpt.file() + " holds robustseg's " + ckpt.spec().name() + ": export it with "
                    + "--format safetensors, then make TorchScript/ONNX with bench/reference's export script (PyTorch writes TorchScript)");
        }
        Files.createDirectories(out.dir());
        JsonNode provenance = Provenance.of("export").put("checkpoint", ckpt.identity()).toJson();
        try (SegmentationModel model = ckpt.loadModel()) {
            if (f.equals("safetensors")) {
                ModelExport.safetensors(model, ClassNames.of(ckpt, data).names(), out.dir(), provenance);
                System.out.println("wrote " + out.resolve(ModelExport.SAFETENSORS) + " (" + model.name() + ", weights by PyTorch name) and "
                        + out.resolve(ModelCard.FILE_NAME));
            } else {
                ModelExport.torchScript(model, out.dir(), provenance);
                System.out.println("wrote " + out.resolve(ModelExport.TORCHSCRIPT) + " (torch.jit.load reads it) and "
                        + out.resolve(ModelCard.FILE_NAME));
            }
        }
        return 0;
    }
}
