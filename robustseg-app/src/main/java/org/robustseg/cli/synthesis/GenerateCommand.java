package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.ColourStatisticsSource;
import org.robustseg.cli.options.DataSetMode;
import org.robustseg.cli.options.GenerationOptions;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import org.robustseg.report.ImageGrid;
import org.robustseg.report.SynthesisFiles;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.batch.Batch;
import org.robustseg.data.ClassSet;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.metric.ConfusionMatrix;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.ColourStatistics;
import org.robustseg.synth.Generation;
import org.robustseg.synth.SynthesisResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run generate ...}: images for label layouts, from seed images drawn from per-class colour statistics. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images for label layouts (--layout FILE, or the label maps of --data) with a net's input gradients.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    CheckpointFile checkpoint;

    @Option(names = "--layout", description = "One layout: a label map (palette or gray PNG) of class ids.")
    Path layout;

    /** --data also gives the colour statistics (its train split) when no --statistics is given. */
    @Mixin
    DataSetMode data;

    @Option(names = "--count", defaultValue = "64", description = "Number of layouts from --data (default ${DEFAULT-VALUE}).")
    int count;

    @Mixin
    ColourStatisticsSource statistics;

    @Mixin
    GenerationOptions options;

    @Mixin
    Seed seed;

    @Mixin
    BatchSize batch;

    @Option(names = "--grid-rows", defaultValue = "16", description = "Rows of grid.png (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Mixin
    OutputDirectory out;

    /** The layouts to generate for: the --layout file, or the first --count label maps of --data's split. */
    private record Layouts(List<SegSample> samples, ClassSet classes, SegDataset dataSet) {}

    /** What the generation loop gathers: per-image entries, the grid, the model's own confusion against the layouts. */
    private record Outcome(ArrayNode entries, ImageGrid grid, ConfusionMatrix self) {}

    @Override
    public Integer call() {
        if (count < 1 || batch.get() < 1) {
            throw new IllegalArgumentException("--count and --batch must be at least 1");
        }
        Checkpoint ckpt = checkpoint.open().requireGradients("synthesis"); // before any file is written
        Layouts layouts = layouts(ckpt);
        ColourStatistics stats = statistics.load(data.data(), out.dir());
        Generation gen = options.params().configure(stats, seed.get());
        Outcome outcome = generate(ckpt, gen, layouts);
        writeMetrics(outcome, gen, ckpt, stats, layouts.dataSet());
        return 0;
    }

    private Layouts layouts(Checkpoint ckpt) {
        if (layout != null) {
            ClassSet classes = ClassNames.of(ckpt, data.data());
            LabelMap map = LabelMaps.read(layout);
            int[] values = InputFiles.labels(layout, map.height(), map.width(), classes.size());
            return new Layouts(List.of(new SegSample(layout.getFileName().toString(), map.height(), map.width(),
                    new float[3 * map.height() * map.width()], values)), classes, null);
        }
        if (!data.given()) {
            throw new IllegalArgumentException("give --layout FILE or --data DIR");
        }
        SegDataset ds = data.open(count);
        List<SegSample> samples = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            samples.add(ds.get(i));
        }
        return new Layouts(samples, ds.classes(), ds);
    }

    private Outcome generate(Checkpoint ckpt, Generation gen, Layouts layouts) {
        List<SegSample> all = layouts.samples();
        ClassSet classes = layouts.classes();
        Outcome outcome = new Outcome(Json.MAPPER.createArrayNode(),
                new ImageGrid(List.of("layout", "seed", "result", "prediction", "real image"), 2), new ConfusionMatrix(classes.size()));
        try (SegmentationModel model = InputFiles.model(ckpt, classes.size(), "checkpoint")) {
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("generate", all.size());
            for (int start = 0; start < all.size(); start += batch.get()) {
                List<SegSample> part = all.subList(start, Math.min(all.size(), start + batch.get()));
                Batch b = Batch.of(part);
                try (NDManager m = model.manager().newSubManager()) {
                    SynthesisResult r = gen.run(model, m.create(b.labelData(), new Shape(b.size(), b.height(), b.width()))
                            .toType(DataType.INT64, false), start);
                    outcome.self().add(r.predictions(), r.target());
                    record(outcome, r, start, part, classes);
                }
                progress.advance(part.size(), null);
            }
            progress.finish();
        }
        return outcome;
    }

    /** The files, JSON entries and grid rows of one batch's results. */
    private void record(Outcome outcome, SynthesisResult r, int start, List<SegSample> part, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        for (int i = 0; i < part.size(); i++) {
            SynthesisFiles.writeGeneration(out.dir(), start + i, r, i, classes);
            ObjectNode e = ResultJson.imageEntry(r, i, part.get(i).id(), 0);
            e.put("index", start + i);
            outcome.entries().add(e);
            if (outcome.grid().rows() < gridRows) {
                outcome.grid().addRow(part.get(i).id(), List.of(ImageGrid.labels(r.target(i), h, w, classes),
                        ImageGrid.image(r.startImage(i), h, w), ImageGrid.image(r.image(i), h, w),
                        ImageGrid.labels(r.prediction(i), h, w, classes), ImageGrid.image(part.get(i).image(), h, w)));
            }
        }
    }

    private void writeMetrics(Outcome outcome, Generation gen, Checkpoint ckpt, ColourStatistics stats, SegDataset ds) {
        ArrayNode entries = outcome.entries();
        ObjectNode json = Json.object();
        ObjectNode summary = json.putObject("summary");
        summary.put("images", entries.size());
        summary.put("self_miou", outcome.self().meanIou());
        summary.put("self_pixel_accuracy", outcome.self().pixelAccuracy());
        double before = 0;
        double after = 0;
        for (var e : entries) {
            before += e.path("loss_before").asDouble();
            after += e.path("loss_after").asDouble();
        }
        summary.put("loss_before", before / entries.size());
        summary.put("loss_after", after / entries.size());
        json.set("settings", Json.toTree(gen.settings()));
        json.set("images", entries);
        Provenance p = Provenance.of("generate").config(gen.settings()).seed(seed.get()).put("checkpoint", ckpt.identity())
                .dataset("colour_statistics", stats.dataset(), 0, stats.contentHash());
        if (ds != null) {
            p.dataset("layouts", ds.name(), ds.size(), ds.contentHash());
        } else {
            p.put("layout", Json.toTree(layout.toAbsolutePath().toString()));
        }
        json.set("provenance", p.toJson());
        Json.write(out.resolve("metrics.json"), json);
        outcome.grid().write(out.resolve("grid.png"));
        System.out.printf("generated %d image(s): the model's own mIoU against the layouts %.3f, CE %.3f -> %.3f%n", entries.size(),
                outcome.self().meanIou(), before / entries.size(), after / entries.size());
        System.out.println("wrote " + out.resolve("metrics.json") + ", grid.png and NNNN_{seed,result,labels}.png");
    }
}
