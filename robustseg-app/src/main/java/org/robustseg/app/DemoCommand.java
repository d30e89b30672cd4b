package org.robustseg.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.metric.Evaluator;
import org.robustseg.metric.SegmentationMetrics;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.train.RunMode;
import org.robustseg.train.StandardRecipe;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run demo}: the study end to end on FashionScenes. Each stage is skipped when its
 * output is complete (checked through provenance), so a second run only re-reads results.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build FashionScenes, train pspnet-lite, evaluate it, and write a summary (resumable).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "Small data and few epochs: a smoke run in a couple of minutes.")
    boolean quick;

    @Option(names = "--fresh", description = "Start over: delete the previous demo's outputs first.")
    boolean fresh;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for data and training (default ${DEFAULT-VALUE}).")
    long seed;

    private static final int STAGES = 3;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if (fresh && Files.exists(out)) {
            stage(0, "removing previous demo outputs in " + out);
            try (var files = Files.walk(out)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        int trainN = quick ? 256 : 4000;
        int valN = quick ? 64 : 500;
        int epochs = quick ? 2 : 60;
        Path data = out.resolve("data");

        stage(1, "data: FashionScenes " + trainN + " train / " + valN + " val scenes");
        JsonNode manifest = Files.exists(data.resolve("dataset.json")) ? Json.read(data.resolve("dataset.json")) : null;
        if (manifest != null && manifest.path("seed").asLong(-1) == seed
                && manifest.path("counts").path("train").asInt() == trainN && manifest.path("counts").path("val").asInt() == valN) {
            System.out.println("      already built (" + data.resolve("dataset.json") + ")");
        } else {
            FashionScenes.builder().trainSize(trainN).valSize(valN).seed(seed).build().write(data);
        }

        stage(2, "standard training: pspnet-lite, " + epochs + " epochs");
        SegDataset train = DataSets.inMemory(DataSets.open(data, Split.TRAIN));
        SegDataset val = DataSets.inMemory(DataSets.open(data, Split.VAL));
        Path standardDir = out.resolve("models/standard");
        TrainConfig config = TrainConfig.defaults("pspnet-lite", epochs, 16, seed);
        new Trainer(config, new StandardRecipe(), train, val).progress(ConsoleProgress.stderr())
                .onEpoch(e -> System.out.printf("      epoch %d: %s, val mIoU %.4f (%.0f s)%n", e.epoch(),
                        Tables.losses(e.losses()), e.valMiou(), e.seconds()))
                .run(standardDir, RunMode.RESUME);

        stage(3, "evaluation on val");
        Checkpoint ckpt = Checkpoint.open(standardDir);
        Path metricsFile = standardDir.resolve("metrics.json");
        SegmentationMetrics metrics;
        if (Files.exists(metricsFile) && Json.read(metricsFile).path("provenance").path("checkpoint").path("epoch").asInt() == ckpt.epoch()
                && Json.read(metricsFile).path("provenance").path("datasets").path("eval").path("content_hash").asText().equals(val.contentHash())) {
            metrics = Json.MAPPER.convertValue(Json.read(metricsFile), SegmentationMetrics.class);
            System.out.println("      already evaluated (" + metricsFile + ")");
        } else {
            try (SegmentationModel model = ckpt.loadModel()) {
                metrics = Evaluator.evaluate(model, val, 32, ConsoleProgress.stderr()).metrics();
            }
            ObjectNode json = (ObjectNode) Json.toTree(metrics);
            json.set("provenance", Provenance.of("eval").dataset("eval", val.name(), val.size(), val.contentHash())
                    .put("checkpoint", ckpt.identity()).toJson());
            Json.write(metricsFile, json);
        }
        System.out.print(Tables.metrics(metrics, val.classes().names()));

        ObjectNode summary = Json.object();
        summary.set("standard", Json.toTree(metrics));
        summary.put("training_seconds", ckpt.meta().path("training_seconds").asDouble());
        summary.set("provenance", Provenance.of("demo").seed(seed).toJson());
        Json.write(out.resolve("summary.json"), summary);
        System.out.printf("demo finished in %.1f s; summary in %s%n", (System.nanoTime() - t0) / 1e9, out.resolve("summary.json"));
        return 0;
    }

    private static void stage(int i, String what) {
        System.out.printf("[%d/%d] %s%n", i, STAGES, what);
    }
}
