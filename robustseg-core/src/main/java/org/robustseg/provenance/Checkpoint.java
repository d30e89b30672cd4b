package org.robustseg.provenance;

import org.robustseg.io.AtomicFiles;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.robustseg.interop.ImportedModels;
import org.robustseg.interop.ModelCard;
import org.robustseg.interop.OnnxNetwork;
import org.robustseg.interop.TorchScriptNetwork;
import org.robustseg.model.DualBatchNorm;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.SegmentationModel;

/**
 * One checkpoint file: a zip holding {@code checkpoint.json} (model spec, epoch, provenance,
 * metrics, training state), {@code parameters.bin} (DJL's parameter encoding) and optionally
 * {@code optimizer.bin} (the optimiser's state, so that a resumed run continues exactly), and for a
 * model with dual BatchNorm (AdvProp) {@code auxiliary.bin}: the auxiliary BNs. parameters.bin
 * of a dual-BN model holds only the main BNs, laid out as the ordinary model's, so
 * {@link #load} gives the ordinary architecture for inference and a resumed run restores both.
 * Written atomically; {@link #open(Path)} accepts a checkpoint file or a run directory.
 *
 * <p>An imported network ({@link ImportedModels}: a model card, a folder holding one, or the
 * TorchScript/ONNX file beside its card) opens as a checkpoint too, of epoch 0, so that every
 * command that takes a checkpoint takes one. A fine-tuned TorchScript network is saved as
 * {@code module.pt} (the TorchScript module with its trained weights and buffers, loadable by
 * {@code torch.jit.load} once unzipped) and {@code card.json} instead of {@code parameters.bin}.
 */
public final class Checkpoint {
    public static final String FORMAT = "robustseg-checkpoint/1";
    public static final String EXTENSION = ".ckpt";
    private static final String META = "checkpoint.json";
    private static final String PARAMS = "parameters.bin";
    private static final String OPTIMIZER = "optimizer.bin";
    private static final String AUXILIARY = "auxiliary.bin";
    /** A fine-tuned TorchScript network: the module and its card. */
    private static final String MODULE = "module.pt";
    private static final String CARD = ModelCard.FILE_NAME;

    private final Path file;
    private final ObjectNode meta;
    private final Map<String, byte[]> entries;
    /** The imported network this "checkpoint" stands for, or null for a robustseg checkpoint file. */
    private final ImportedModels.Source imported;

    private Checkpoint(Path file, ObjectNode meta, Map<String, byte[]> entries, ImportedModels.Source imported) {
        this.file = file;
        this.meta = meta;
        this.entries = entries;
        this.imported = imported;
    }

    /** Writes a checkpoint of {@code model} with the metadata {@code meta} (a "model" key is added). */
    public static void save(Path file, SegmentationModel model, ObjectNode meta, NDList optimizerState) {
        ObjectNode m = meta.deepCopy();
        m.put("format", FORMAT);
        ObjectNode spec = m.putObject("model");
        spec.put("name", model.name());
        spec.put("num_classes", model.numClasses());
        spec.put("parameters", model.parameterCount());
        boolean dual = DualBatchNorm.isDual(model);
        if (dual) {
            spec.put("dual_batch_norm", true);
        }
        if (model.block() instanceof OnnxNetwork) {
            throw new IllegalArgumentException("an ONNX model cannot be saved as a checkpoint: it is inference only");
        }
        TorchScriptNetwork script = model.block() instanceof TorchScriptNetwork t ? t : null;
        if (script != null) {
            spec.set("card", script.card().withTorchScript(MODULE).toJson());
        }
        AtomicFiles.write(file, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(fixedEntry(META));
                zip.write(Json.MAPPER.writeValueAsBytes(m));
                zip.closeEntry();
                if (script != null) {
                    zip.putNextEntry(fixedEntry(CARD));
                    zip.write(script.card().withTorchScript(MODULE).toBytes());
                    zip.closeEntry();
                    zip.putNextEntry(fixedEntry(MODULE));
                    zip.write(script.moduleBytes());
                    zip.closeEntry();
                    if (optimizerState != null) {
                        zip.putNextEntry(fixedEntry(OPTIMIZER));
                        zip.write(optimizerState.encode());
                        zip.closeEntry();
                    }
                    return;
                }
                zip.putNextEntry(fixedEntry(PARAMS));
                ByteArrayOutputStream params = new ByteArrayOutputStream();
                try (DataOutputStream dos = new DataOutputStream(params)) {
                    model.block().saveParameters(dos);
                }
                zip.write(params.toByteArray());
                zip.closeEntry();
                if (dual) {
                    zip.putNextEntry(fixedEntry(AUXILIARY));
                    ByteArrayOutputStream aux = new ByteArrayOutputStream();
                    try (DataOutputStream dos = new DataOutputStream(aux)) {
                        DualBatchNorm.saveAuxiliary(model, dos);
                    }
                    zip.write(aux.toByteArray());
                    zip.closeEntry();
                }
                if (optimizerState != null) {
                    zip.putNextEntry(fixedEntry(OPTIMIZER));
                    zip.write(optimizerState.encode());
                    zip.closeEntry();
                }
            }
        });
    }

    /** A zip entry with a fixed time stamp, so that identical content gives identical bytes. */
    private static ZipEntry fixedEntry(String name) {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0L);
        return e;
    }

    /**
     * Opens a checkpoint file, the final (latest-epoch) checkpoint of a run directory, or an
     * imported network (a model card, a folder holding {@code card.json}, or a {@code .pt} or
     * {@code .onnx} file beside its card).
     */
    public static Checkpoint open(Path fileOrRunDir) {
        Optional<ImportedModels.Source> source = ImportedModels.locate(fileOrRunDir);
        if (source.isPresent()) {
            return imported(source.get());
        }
        Path file = resolve(fileOrRunDir);
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (!entries.containsKey(META) || !entries.containsKey(PARAMS) && !entries.containsKey(MODULE)) {
            throw new IllegalArgumentException("checkpoint " + file + " is not a robustseg checkpoint (missing " + META + " or " + PARAMS + ")");
        }
        try {
            ObjectNode meta = (ObjectNode) Json.MAPPER.readTree(entries.get(META));
            return new Checkpoint(file, meta, entries, null);
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + " has corrupt metadata: " + e.getMessage(), e);
        }
    }

    /** An imported network as a checkpoint of epoch 0; its metadata names the card, the network file and its hash. */
    private static Checkpoint imported(ImportedModels.Source source) {
        ObjectNode meta = Json.object();
        meta.put("format", FORMAT);
        meta.put("epoch", 0);
        ObjectNode spec = meta.putObject("model");
        spec.put("name", source.format() == ImportedModels.Format.ONNX ? ModelSpec.ONNX : ModelSpec.TORCHSCRIPT);
        spec.put("num_classes", source.parsed().numClasses());
        spec.put("file", source.network().toAbsolutePath().toString());
        spec.put("sha256", sha256(source.network()));
        spec.set("card", source.parsed().toJson());
        ObjectNode provenance = meta.putObject("provenance");
        provenance.put("imported_from", source.card().toAbsolutePath().toString());
        if (source.parsed().extra().has("provenance")) {
            provenance.set("export", source.parsed().extra().get("provenance").deepCopy());
        }
        return new Checkpoint(source.card(), meta, Map.of(), source);
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this stands for an imported network (a card, or a checkpoint of a fine-tuned one) rather than a zoo model. */
    public boolean isImported() {
        return spec().imported();
    }

    /**
     * The class names the model's card lists, when it has one (imported networks and their
     * fine-tuned checkpoints); zoo checkpoints record none.
     */
    public Optional<List<String>> classNames() {
        JsonNode card = meta.path("model").path("card");
        if (!card.isObject()) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        card.path("classes").forEach(c -> names.add(c.asText()));
        return Optional.of(names);
    }

    /**
     * Refuses an inference-only (ONNX) network for {@code use}, which needs gradients, with one
     * line naming the file and what it can do instead; returns this checkpoint otherwise.
     */
    public Checkpoint requireGradients(String use) {
        if (!spec().differentiable()) {
            throw new IllegalArgumentException(file + " is an ONNX model: inference only (eval, attack --attack square); "
                    + use + " needs gradients: give the network's TorchScript export instead");
        }
        return this;
    }

    /** Shortcut: the model stored at {@code fileOrRunDir}, ready for inference. */
    public static SegmentationModel load(Path fileOrRunDir) {
        return open(fileOrRunDir).loadModel();
    }

    /** The checkpoint file meant by a path: itself, or the latest epoch checkpoint of a run directory. */
    public static Path resolve(Path fileOrRunDir) {
        if (Files.isRegularFile(fileOrRunDir)) {
            return fileOrRunDir;
        }
        if (!Files.isDirectory(fileOrRunDir)) {
            throw new IllegalArgumentException("checkpoint " + fileOrRunDir + " does not exist");
        }
        return latestIn(fileOrRunDir).orElseThrow(() -> new IllegalArgumentException(
                "run directory " + fileOrRunDir + " holds no checkpoint (" + checkpointDir(fileOrRunDir) + "/*" + EXTENSION + ")"));
    }

    /** The directory of a run where its epoch checkpoints live. */
    public static Path checkpointDir(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /** The file name of the checkpoint taken after {@code epoch} (1-based). */
    public static Path epochFile(Path runDir, int epoch) {
        return checkpointDir(runDir).resolve(String.format("epoch-%04d%s", epoch, EXTENSION));
    }

    /** The latest epoch checkpoint of a run directory, if any. */
    public static Optional<Path> latestIn(Path runDir) {
        Path dir = checkpointDir(runDir);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("epoch-\\d+\\" + EXTENSION))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run directory a checkpoint file belongs to (…/RUN/checkpoints/epoch-N.ckpt → …/RUN), else its folder. */
    public static Path runDirOf(Path checkpointFile) {
        Path parent = checkpointFile.toAbsolutePath().getParent();
        if (parent.getFileName().toString().equals("checkpoints") && Files.exists(parent.getParent().resolve("run.json"))) {
            return parent.getParent();
        }
        return parent;
    }

    public Path file() {
        return file;
    }

    /** The run directory this checkpoint belongs to. */
    public Path runDir() {
        return runDirOf(file);
    }

    /** What identifies this checkpoint in a downstream artefact's provenance: file, epoch, model, provenance. */
    public ObjectNode identity() {
        ObjectNode id = Json.object();
        id.put("file", file.toAbsolutePath().toString());
        id.put("epoch", epoch());
        id.set("model", meta.path("model").deepCopy());
        id.set("provenance", meta.path("provenance").deepCopy());
        return id;
    }

    /** The stored metadata (a copy). */
    public ObjectNode meta() {
        return meta.deepCopy();
    }

    public ModelSpec spec() {
        JsonNode model = meta.path("model");
        return new ModelSpec(model.path("name").asText(), model.path("num_classes").asInt());
    }

    /**
     * The default display name of this checkpoint in tables and grids: run directory name and
     * epoch; an imported network's card name.
     */
    public String label() {
        if (imported != null) {
            return imported.label();
        }
        return runDir().getFileName() + " e" + epoch();
    }

    public int epoch() {
        return meta.path("epoch").asInt(0);
    }

    /**
     * Builds the architecture and loads the stored parameters into it; an imported network is
     * loaded from its file (or, fine-tuned, from the module this checkpoint stores).
     */
    public SegmentationModel loadModel() {
        return loadModel(null);
    }

    /**
     * Like {@link #loadModel()}, a zoo architecture on {@code device} (null: the engine's default,
     * a GPU where one is visible). An imported network is loaded on its engine's default device
     * ({@code device} is not applied to it: ImportedModels creates its DJL models without one).
     */
    public SegmentationModel loadModel(ai.djl.Device device) {
        if (imported != null) {
            return ImportedModels.load(imported);
        }
        if (entries.containsKey(MODULE)) {
            ModelCard card = ModelCard.parse(readTree(entries.get(CARD)), "checkpoint " + file + " " + CARD);
            return ImportedModels.torchScript(card, entries.get(MODULE), file + "!" + MODULE);
        }
        SegmentationModel model = org.robustseg.model.ModelZoo.create(spec(), 0, device);
        try {
            loadParametersInto(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * Loads the stored parameters into an already built model of the same architecture. A model
     * with dual BatchNorm also gets the auxiliary BNs (the checkpoint must hold them); an ordinary
     * model ignores them, which is how an AdvProp checkpoint serves inference.
     */
    public void loadParametersInto(SegmentationModel model) {
        if (isImported() || model.spec().imported()) {
            throw new IllegalArgumentException("checkpoint " + file + ": an imported network's weights live in its module; "
                    + "load the model itself (loadModel) instead of loading parameters into " + model.name());
        }
        boolean dual = DualBatchNorm.isDual(model);
        if (dual && !entries.containsKey(AUXILIARY)) {
            throw new IllegalArgumentException("checkpoint " + file + " holds no auxiliary BatchNorm state (" + AUXILIARY
                    + "): it was not written by a dual-BatchNorm (advprop) model");
        }
        List<NDArray> previous = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            previous.add(p.getValue().getArray());
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(entries.get(PARAMS)))) {
            model.block().loadParameters(model.manager(), in);
            if (dual) {
                try (DataInputStream aux = new DataInputStream(new ByteArrayInputStream(entries.get(AUXILIARY)))) {
                    DualBatchNorm.loadAuxiliary(model, aux);
                }
            }
        } catch (IOException | MalformedModelException e) {
            throw new IllegalArgumentException("checkpoint " + file + " does not fit model " + model.name() + ": " + e.getMessage(), e);
        }
        // DJL's Parameter.load replaces the arrays without re-attaching gradients (and keeps the old ones)
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            Parameter param = p.getValue();
            if (param.requiresGradient()) {
                param.getArray().setRequiresGradient(true);
            }
        }
        previous.forEach(NDArray::close);
    }

    private JsonNode readTree(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + " has a corrupt " + CARD + ": " + e.getMessage(), e);
        }
    }

    /** The stored optimiser state, or empty when the checkpoint has none. */
    public Optional<NDList> optimizerState(NDManager manager) {
        byte[] bytes = entries.get(OPTIMIZER);
        return bytes == null ? Optional.empty() : Optional.of(NDList.decode(manager, bytes));
    }
}
