package org.robustseg.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.robustseg.Fluent;
import org.robustseg.ProgressListener;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.SegDataset;
import org.robustseg.io.FileTrees;
import org.robustseg.metric.ConfusionMatrix;
import org.robustseg.metric.Evaluator;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;

/**
 * The training loop: epochs of shuffled batches, one gradient collector per step, a poly
 * learning-rate schedule, an atomic checkpoint after every epoch, and exact resumption.
 *
 * <p>Every source of randomness is derived explicitly from the run's seed: the visiting order and
 * each sample's augmentation from (seed, epoch), the dropout streams from (seed, epoch), an
 * adversarial recipe's random start from (seed, step). So a run resumed from the checkpoint of
 * epoch k continues exactly as the uninterrupted run did, and the engine's global generator is
 * never reseeded behind the caller's back.
 *
 * <p>Configured like the library's other fluent objects ({@link Fluent}): each setter returns a
 * modified copy, so the result of {@code initFrom}, {@code progress}, ... must be used.
 */
public final class Trainer extends Fluent<Trainer> {
    /** Checkpoint metadata key of {@link Optimizer#stateFormat()}. */
    static final String OPTIMIZER_FORMAT = "optimizer_state_format";
    /** Purposes of {@link #derivedSeed}: the epoch's dropout streams, a step's recipe preparation. */
    private static final long DROPOUT_STREAM = 1;
    private static final long STEP_STREAM = 2;

    private final TrainConfig config;
    private final TrainingRecipe recipe;
    private final SegDataset train;
    private final SegDataset val;
    private ProgressListener progress = ProgressListener.NONE;
    private Path init;
    private Consumer<EpochSummary> epochListener = e -> {};
    private int valBatch = 32;
    private RobustnessProbe probe;

    /**
     * @param config the run's configuration
     * @param recipe what each step optimises
     * @param train training data
     * @param val validation data for the per-epoch clean mIoU, or null to skip it
     */
    public Trainer(TrainConfig config, TrainingRecipe recipe, SegDataset train, SegDataset val) {
        this.config = config;
        this.recipe = recipe;
        if (!recipe.name().equals(config.recipe().recipe().id())) {
            throw new IllegalArgumentException("recipe " + recipe.name() + " does not match the configuration's --recipe "
                    + config.recipe().recipe());
        }
        this.probe = RobustnessProbe.defaultFor(config.recipe());
        this.train = train;
        this.val = val;
        if (train.size() < config.batchSize()) {
            throw new IllegalArgumentException("--batch " + config.batchSize() + " is larger than the training set ("
                    + train.size() + " samples in " + train.name() + ")");
        }
        if (val != null && val.classes().size() != train.classes().size()) {
            throw new IllegalArgumentException("validation set " + val.name() + " has " + val.classes().size()
                    + " classes, training set " + train.classes().size());
        }
    }

    /** A trainer for the recipe the configuration names, with its recorded options. */
    public Trainer(TrainConfig config, SegDataset train, SegDataset val) {
        this(config, Recipes.create(config.recipe()), train, val);
    }

    /**
     * The per-epoch quick robustness estimate on validation data (default: FGSM at the recipe's
     * eps on 64 images for adversarial recipes, none for standard); null switches it off.
     */
    public Trainer robustnessProbe(RobustnessProbe value) {
        return with(t -> t.probe = value);
    }

    /**
     * Starts from the weights of a checkpoint of the same architecture instead of a fresh
     * initialisation (e.g. adversarial fine-tuning of a standard model). Recorded in provenance;
     * ignored when resuming, where the run's own checkpoint supplies the weights; null: a fresh initialisation.
     */
    /*
     * An imported network (a model card, TrainConfig's model "torchscript") is fine-tuned in place
     * of a zoo architecture: its module is the model, and each epoch's checkpoint stores it.
     */
    public Trainer initFrom(Path checkpoint) {
        return with(t -> t.init = checkpoint);
    }

    /** Receives each epoch's steps (e.g. a console progress bar). */
    public Trainer progress(ProgressListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return with(t -> t.progress = listener);
    }

    /** Called with each epoch's summary once its checkpoint is written. */
    public Trainer onEpoch(Consumer<EpochSummary> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return with(t -> t.epochListener = listener);
    }

    /**
     * Trains into {@code runDir} and returns the final checkpoint's path.
     *
     * @param runDir the run directory (created if needed)
     * @param mode what to do with an existing run there
     */
    public Path run(Path runDir, RunMode mode) {
        prepareRunDir(runDir, mode);
        int stepsPerEpoch = train.size() / config.batchSize();
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        Optimizer optimizer = config.optimizer().create(config.momentum(), config.weightDecay());

        ModelSpec spec = new ModelSpec(config.model(), train.classes().size(), recipe.dualBatchNorm());
        var latest = Checkpoint.latestIn(runDir);
        boolean resuming = mode == RunMode.RESUME && latest.isPresent();
        try (SegmentationModel model = newModel(spec, resuming ? latest.get() : init)) {
            int startEpoch = 0;
            double trainingSeconds = 0;
            List<EpochSummary> history = new ArrayList<>();
            if (resuming) {
                Checkpoint ckpt = Checkpoint.open(latest.get());
                requireSameConfig(ckpt, latest.get());
                if (!spec.imported()) { // an imported network was loaded with this checkpoint's weights
                    ckpt.loadParametersInto(model);
                }
                startEpoch = ckpt.epoch();
                // a velocity or moment stored in another convention must be converted or refused, never misread
                String format = ckpt.meta().path(OPTIMIZER_FORMAT).asText(Optimizer.UNRECORDED_FORMAT);
                float lastLr = learningRate((long) startEpoch * stepsPerEpoch - 1, totalSteps);
                ckpt.optimizerState(model.manager()).ifPresent(s -> optimizer.loadState(s, format, lastLr));
                trainingSeconds = ckpt.meta().path("training_seconds").asDouble();
                for (JsonNode e : ckpt.meta().path("history")) {
                    history.add(Json.MAPPER.convertValue(e, EpochSummary.class));
                }
                if (startEpoch >= config.epochs()) {
                    return latest.get();
                }
            } else {
                if (init != null) {
                    Checkpoint start = Checkpoint.open(init);
                    if (!start.spec().name().equals(config.model()) || start.spec().numClasses() != spec.numClasses()) {
                        throw new IllegalArgumentException("--init " + init + " holds " + start.spec().name() + " with "
                                + start.spec().numClasses() + " classes, not " + config.model() + " with " + spec.numClasses());
                    }
                    if (!spec.imported()) {
                        start.loadParametersInto(model);
                    }
                }
                Json.write(runDir.resolve("run.json"), runRecord());
            }

            List<Parameter> params = trainableParameters(model);
            Path last = latest.orElse(null);
            for (int epoch = startEpoch + 1; epoch <= config.epochs(); epoch++) {
                long t0 = System.nanoTime();
                Map<String, Double> losses = trainEpoch(model, optimizer, params, epoch, stepsPerEpoch, totalSteps);
                double seconds = (System.nanoTime() - t0) / 1e9;
                trainingSeconds += seconds;
                Double valMiou = null;
                Map<String, Double> valExtra = Map.of();
                if (val != null) {
                    ConfusionMatrix cm = Evaluator.evaluate(model, val, valBatch, ProgressListener.NONE);
                    valMiou = cm.meanIou();
                    if (probe != null) {
                        valExtra = probe.measure(model, val, valBatch);
                    }
                }
                double lr = learningRate((long) epoch * stepsPerEpoch - 1, totalSteps);
                EpochSummary summary = new EpochSummary(epoch, losses, lr, valMiou, valExtra, seconds);
                history.add(summary);
                last = Checkpoint.epochFile(runDir, epoch);
                ObjectNode meta = checkpointMeta(epoch, trainingSeconds, history);
                meta.put(OPTIMIZER_FORMAT, optimizer.stateFormat());
                Checkpoint.save(last, model, meta, optimizer.state());
                epochListener.accept(summary);
            }
            return last;
        }
    }

    /**
     * The model to train: a zoo architecture freshly initialised from the seed (weights loaded
     * afterwards when resuming or starting from --init), or an imported network, which exists only
     * as its module and is therefore loaded from {@code source}: the run's latest checkpoint when
     * resuming, else the --init card or checkpoint.
     */
    private SegmentationModel newModel(ModelSpec spec, Path source) {
        if (!spec.imported()) {
            return ModelZoo.create(spec, config.seed());
        }
        if (source == null) {
            throw new IllegalArgumentException("model " + spec.name() + " is imported: give its model card (or a checkpoint "
                    + "of it) as --init");
        }
        Checkpoint start = Checkpoint.open(source);
        if (!start.spec().name().equals(spec.name())) {
            throw new IllegalArgumentException("--init " + source + " holds " + start.spec().name() + ", not " + spec.name());
        }
        if (!start.spec().differentiable()) {
            throw new IllegalArgumentException(source + " is an ONNX model: inference only, it cannot be trained "
                    + "(fine-tune its TorchScript export instead)");
        }
        if (spec.dualBatchNorm()) {
            throw new IllegalArgumentException("recipe " + recipe.name() + " needs a second set of BatchNorms, which cannot be "
                    + "added to an imported TorchScript network; use pgd-at, trades, sat, fast-at or standard");
        }
        if (start.spec().numClasses() != spec.numClasses()) {
            throw new IllegalArgumentException("--init " + source + " predicts " + start.spec().numClasses() + " classes, the "
                    + "training data has " + spec.numClasses());
        }
        return start.loadModel();
    }

    private Map<String, Double> trainEpoch(SegmentationModel model, Optimizer optimizer, List<Parameter> params,
                                           int epoch, int stepsPerEpoch, long totalSteps) {
        Engine engine = model.djlModel().getNDManager().getEngine();
        // explicit seeds for everything random; the engine's global generator is neither read nor reseeded
        model.reseedDropout(derivedSeed(config.seed(), DROPOUT_STREAM, epoch));
        int[] order = shuffledOrder(train.size(), config.seed(), epoch);
        BatchLoader loader = new BatchLoader(train, order, config.batchSize(), true,
                config.seed() * 31 + epoch, config.augmentation()::apply);
        Map<String, Double> sums = new LinkedHashMap<>();
        progress.start(String.format("epoch %d/%d", epoch, config.epochs()), stepsPerEpoch);
        int step = 0;
        try (BatchLoader.Batches it = loader.iterator()) { // a failing step must not leave the loader thread behind
            for (; it.hasNext(); step++) {
                Batch batch = it.next();
                long globalStep = (long) (epoch - 1) * stepsPerEpoch + step;
                float lr = learningRate(globalStep, totalSteps);
                StringBuilder status = new StringBuilder();
                try (NDManager sm = model.manager().newSubManager()) {
                    NDArray images = batch.images(sm);
                    NDArray labels = batch.labels(sm);
                    TrainingRecipe.Inputs inputs = recipe.prepare(model, images, labels, sm,
                        derivedSeed(config.seed(), STEP_STREAM, globalStep));
                    TrainingRecipe.Loss loss;
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        loss = recipe.loss(model, inputs, config);
                        gc.backward(loss.total());
                    }
                    model.verifyPendingNumerics(); // backward kernels of shapes first met in this step
                    float total = loss.total().getFloat();
                    if (!Float.isFinite(total)) {
                        throw new IllegalStateException("training loss became " + total + " at epoch " + epoch + " step " + step
                                + " (lower --lr?)");
                    }
                    optimizer.update(params, lr);
                    for (Map.Entry<String, NDArray> part : loss.parts().entrySet()) {
                        double v = part.getValue().getFloat();
                        sums.merge(part.getKey(), v, Double::sum);
                        status.append(String.format("%s %.3f ", part.getKey(), sums.get(part.getKey()) / (step + 1)));
                    }
                }
                progress.advance(1, status.append(String.format("lr %.4f", lr)).toString());
            }
        }
        progress.finish();
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sums.entrySet()) {
            means.put(e.getKey(), e.getValue() / stepsPerEpoch);
        }
        return means;
    }

    /** Poly schedule: lr · (1 − step/total)^power. */
    private float learningRate(long step, long totalSteps) {
        return (float) (config.learningRate() * Math.pow(1.0 - (double) step / totalSteps, config.polyPower()));
    }

    /**
     * A seed for the {@code index}-th draw of one purpose ({@code stream}) of a run: a SplitMix64
     * mix of all three, so that neighbouring seeds, epochs or steps give unrelated streams.
     */
    static long derivedSeed(long seed, long stream, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1) + 0xD1B54A32D192ED03L * index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static int[] shuffledOrder(int n, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(seed * 7919 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Parameters the optimiser updates: everything with a gradient (not BN running statistics). */
    static List<Parameter> trainableParameters(SegmentationModel model) {
        List<Parameter> list = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                list.add(p.getValue());
            }
        }
        return list;
    }

    private ObjectNode runRecord() {
        Provenance p = Provenance.of("train").config(config).seed(config.seed())
                .dataset("train", train.name(), train.size(), train.contentHash());
        if (init != null) {
            Checkpoint start = Checkpoint.open(init);
            ObjectNode id = Json.object();
            id.put("file", start.file().toAbsolutePath().toString());
            id.put("epoch", start.epoch());
            id.put("training_seconds", start.meta().path("training_seconds").asDouble());
            id.set("provenance", start.meta().path("provenance"));
            p.put("init_checkpoint", id);
        }
        if (val != null) {
            p.dataset("val", val.name(), val.size(), val.contentHash());
        }
        ObjectNode run = Json.object();
        run.set("provenance", p.toJson());
        return run;
    }

    private ObjectNode checkpointMeta(int epoch, double trainingSeconds, List<EpochSummary> history) {
        ObjectNode meta = Json.object();
        meta.put("epoch", epoch);
        meta.put("epochs", config.epochs());
        meta.put("complete", epoch == config.epochs());
        meta.put("training_seconds", trainingSeconds);
        meta.set("provenance", runRecord().get("provenance"));
        ArrayNode h = meta.putArray("history");
        history.forEach(e -> h.add(Json.toTree(e)));
        return meta;
    }

    private void requireSameConfig(Checkpoint ckpt, Path file) {
        JsonNode stored = ckpt.meta().path("provenance").path("config");
        JsonNode now;
        try {
            // compare as read back from JSON, so that number types match the stored ones
            now = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> differing = new ArrayList<>();
        differences("", stored, now, differing);
        if (!differing.isEmpty()) {
            throw new IllegalArgumentException("--resume: the configuration differs from checkpoint " + file + ": "
                    + String.join(", ", differing));
        }
    }

    /** Names each differing field, descending into objects (e.g. "recipe.eps"). */
    private static void differences(String prefix, JsonNode stored, JsonNode now, List<String> out) {
        now.fieldNames().forEachRemaining(k -> {
            JsonNode a = stored.get(k);
            JsonNode b = now.get(k);
            if (a != null && a.isObject() && b.isObject()) {
                differences(prefix + k + ".", a, b, out);
            } else if (!b.equals(a)) {
                out.add(prefix + k + " (was " + a + ", now " + b + ")");
            }
        });
        stored.fieldNames().forEachRemaining(k -> {
            if (!now.has(k)) {
                out.add(prefix + k + " (was " + stored.get(k) + ", now absent)");
            }
        });
    }

    private static void prepareRunDir(Path runDir, RunMode mode) {
        try {
            boolean hasRun = Files.exists(runDir.resolve("run.json")) || Checkpoint.latestIn(runDir).isPresent();
            if (hasRun && mode == RunMode.FRESH) {
                throw new IllegalArgumentException("run directory " + runDir
                        + " already holds a run; use --resume to continue it or --overwrite to replace it");
            }
            if (hasRun && mode == RunMode.OVERWRITE) {
                Path ckpts = Checkpoint.checkpointDir(runDir);
                if (Files.isDirectory(ckpts)) {
                    FileTrees.delete(ckpts);
                }
                Files.deleteIfExists(runDir.resolve("run.json"));
                Files.deleteIfExists(runDir.resolve("metrics.json"));
            }
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run directory " + runDir + ": " + e.getMessage(), e);
        }
    }
}
