package org.robustseg.interop;

import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.SegmentationModel;

/**
 * Networks exported from PyTorch, as {@link SegmentationModel}s: a TorchScript file (trainable,
 * with input and weight gradients) or an ONNX file (inference only), each described by a
 * {@link ModelCard}. What a path names ({@link #locate}): a card ({@code card.json} or
 * {@code NAME.card.json}), a folder holding {@code card.json}, or the network file itself
 * ({@code .pt}, {@code .onnx}) with its card beside it ({@code NAME.card.json} or {@code card.json}).
 */
public final class ImportedModels {
    /** The side of the probe image a loaded network is first run on (when its card gives no size). */
    static final int PROBE_SIZE = 64;

    private ImportedModels() {}

    /** How the network is stored. */
    public enum Format { TORCHSCRIPT, ONNX }

    /**
     * An imported network on disk.
     *
     * @param card the card file
     * @param parsed its content
     * @param network the network file to load
     * @param format how it is stored
     */
    public record Source(Path card, ModelCard parsed, Path network, Format format) {
        /** The name tables and folders show by default: the card's folder, or NAME of NAME.card.json. */
        public String label() {
            String file = card.getFileName().toString();
            if (file.endsWith(ModelCard.SUFFIX)) {
                return file.substring(0, file.length() - ModelCard.SUFFIX.length());
            }
            Path dir = card.toAbsolutePath().getParent();
            return dir.getFileName() == null ? "imported" : dir.getFileName().toString();
        }
    }

    /**
     * The imported network {@code path} names, or empty when it names none (e.g. a robustseg
     * checkpoint or run directory). A card that names a missing file, or a network file without a
     * card, is an error naming both.
     */
    public static Optional<Source> locate(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (Files.isDirectory(path)) {
            Path card = path.resolve(ModelCard.FILE_NAME);
            return Files.isRegularFile(card) ? Optional.of(fromCard(card)) : Optional.empty();
        }
        if (name.equals(ModelCard.FILE_NAME) || name.endsWith(ModelCard.SUFFIX)) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("model card " + path + " does not exist");
            }
            return Optional.of(fromCard(path));
        }
        Format format = formatOf(name);
        if (format == null) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("model file " + path + " does not exist");
        }
        Path dir = path.toAbsolutePath().getParent();
        String stem = name.substring(0, name.lastIndexOf('.'));
        Path card = dir.resolve(stem + ModelCard.SUFFIX);
        if (!Files.isRegularFile(card)) {
            card = dir.resolve(ModelCard.FILE_NAME);
        }
        if (!Files.isRegularFile(card)) {
            throw new IllegalArgumentException(path + " has no model card: write " + stem + ModelCard.SUFFIX + " or "
                    + ModelCard.FILE_NAME + " beside it (classes, input normalisation, output; see README 'Your own model')");
        }
        return Optional.of(new Source(card, ModelCard.read(card), path, format));
    }

    private static Source fromCard(Path card) {
        ModelCard parsed = ModelCard.read(card);
        Path dir = card.toAbsolutePath().getParent();
        String file = parsed.torchscript() != null ? parsed.torchscript() : parsed.onnx();
        Format format = parsed.torchscript() != null ? Format.TORCHSCRIPT : Format.ONNX;
        Path network = dir.resolve(file);
        if (!Files.isRegularFile(network)) {
            throw new IllegalArgumentException("model card " + card + ": its " + format.name().toLowerCase(Locale.ROOT)
                    + " file " + network + " does not exist");
        }
        return new Source(card, parsed, network, format);
    }

    private static Format formatOf(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".ts") || n.endsWith(".torchscript")) {
            return Format.TORCHSCRIPT;
        }
        return n.endsWith(".onnx") ? Format.ONNX : null;
    }

    /** Loads the network {@code source} describes, checked once on a probe image (output shape and classes). */
    public static SegmentationModel load(Source source) {
        if (source.format() == Format.ONNX) {
            return OnnxNetwork.load(source.parsed(), source.network());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(source.network());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + source.network() + ": " + e.getMessage(), e);
        }
        return torchScript(source.parsed(), bytes, source.network().toString());
    }

    /**
     * A TorchScript network from its bytes (a file's, or those a robustseg checkpoint stores after
     * fine-tuning), with trainable parameters.
     *
     * @param source what the bytes came from, named in errors
     */
    public static SegmentationModel torchScript(ModelCard card, byte[] bytes, String source) {
        Model model = Model.newInstance(ModelSpec.TORCHSCRIPT, "PyTorch");
        try {
            PtSymbolBlock module;
            try {
                // loaded without libtorch's InferenceMode: parameters keep requires_grad, input gradients flow
                module = JniUtils.loadModule((PtNDManager) model.getNDManager(), new ByteArrayInputStream(bytes), true, false);
            } catch (EngineException | IOException e) {
                throw new IllegalArgumentException(source + " is not a TorchScript file (torch.jit.load: "
                        + firstLine(e.getMessage()) + ")", e);
            }
            // DJL makes a module's parameter arrays on first request, in whatever NDScope is open then; made
            // inside an input gradient's scope (Scoped), they were closed at its end and the next gradient
            // failed ("Native resource has been released"). Make them now, owned by the model alone.
            module.getParameters().values().forEach(p -> NDScope.unregister(p.getArray()));
            model.setBlock(new TorchScriptNetwork(card, module, source));
            SegmentationModel m = SegmentationModel.imported(new ModelSpec(ModelSpec.TORCHSCRIPT, card.numClasses()), model);
            probe(m, card, source);
            return m;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Runs the network once in eval mode on a grey probe image, so that a wrong output (shape,
     * class count, a module that fails on images) is reported when the model is loaded, not later.
     */
    static void probe(SegmentationModel model, ModelCard card, String source) {
        int h = card.input().size() != null ? card.input().size()[0] : PROBE_SIZE;
        int w = card.input().size() != null ? card.input().size()[1] : PROBE_SIZE;
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.full(new Shape(1, 3, h, w), 0.5f);
            model.block().forward(model.parameterStore(), new ai.djl.ndarray.NDList(x), false);
        } catch (EngineException e) {
            throw new IllegalArgumentException(source + " fails on a 1×3×" + h + "×" + w + " image: " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
