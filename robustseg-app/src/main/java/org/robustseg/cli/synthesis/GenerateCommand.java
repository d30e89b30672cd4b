package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.TaskJob;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.ColourStatisticsSource;
import org.robustseg.cli.options.DataSetMode;
import org.robustseg.cli.options.GenerationOptions;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import org.robustseg.engine.OwnedArrays;
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

    /**
     * The layouts to generate for: the --layout file ({@code one}), or the first --count label maps
     * of --data's split ({@code dataSet}, read batch by batch).
     */
    private record Layouts(SegSample one, ClassSet classes, SegDataset dataSet) {
        int size() {
            return dataSet == null ? 1 : dataSet.size();
        }

        SegSample get(int i) {
            return dataSet == null ? one : dataSet.get(i);
        }
    }

    /** What the command generates, checked: the checkpoint, the layouts, the colour statistics and the generation settings. */
    private record Plan(Checkpoint ckpt, Layouts layouts, ColourStatistics stats, Generation gen, int batches) {}

    /**
     * One image as it leaves its batch (its files already written): its metrics.json entry, the
     * model's own confusion counts against the layout (summed into the summary), and for the first
     * --grid-rows images its grid row as PNG tiles (lossless, so a driver elsewhere draws the same grid).
     */
    public record ImageOutcome(int index, String id, String entry, long[] selfCounts, List<byte[]> tiles)
            implements java.io.Serializable {}

    /** The options of {@code ./run generate ARGS}, parsed, not run: how a cluster node rebuilds its driver's job. */
    public static GenerateCommand parse(String... args) {
        GenerateCommand command = new GenerateCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command;
    }

    @Override
    public Integer call() {
        try (TaskJob<ImageOutcome> job = job()) {
            int tasks = job.tasks();
            List<ImageOutcome> outcomes = new ArrayList<>();
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("generate", tasks);
            for (int b = 0; b < tasks; b++) {
                outcomes.addAll(job.run(b, null));
                progress.advance(1, null);
            }
            progress.finish();
            job.finish(outcomes);
        }
        return 0;
    }

    private Plan plan() {
        if (count < 1 || batch.get() < 1) {
            throw new IllegalArgumentException("--count and --batch must be at least 1");
        }
        Checkpoint ckpt = checkpoint.open().requireGradients("synthesis"); // before any file is written
        Layouts layouts = layouts(ckpt);
        ColourStatistics stats = statistics.load(data.data(), out.dir());
        Generation gen = options.params().configure(stats, seed.get());
        return new Plan(ckpt, layouts, stats, gen, (layouts.size() + batch.get() - 1) / batch.get());
    }

    /**
     * The command as a {@link TaskJob}: task b generates for layouts b·batch .. b·batch+batch-1
     * (each seed image drawn from the stream of its index), writes their files and returns their
     * outcomes; the model is loaded on the first task and kept until the job is closed.
     */
    public TaskJob<ImageOutcome> job() {
        return new TaskJob<>() {
            private Plan plan;
            private SegmentationModel model;

            @Override
            public int tasks() {
                if (plan == null) {
                    plan = plan();
                }
                return plan.batches();
            }

            @Override
            public List<ImageOutcome> run(int task, ai.djl.Device device) {
                tasks();
                if (model == null) {
                    model = InputFiles.model(plan.ckpt(), plan.layouts().classes().size(), "checkpoint", device);
                }
                return batch(plan, model, task);
            }

            @Override
            public void finish(List<ImageOutcome> results) {
                tasks();
                writeMetrics(results, plan);
            }

            @Override
            public Path out() {
                return out.dir();
            }

            @Override
            public void close() {
                if (model != null) {
                    model.close();
                    model = null;
                }
            }
        };
    }

    private Layouts layouts(Checkpoint ckpt) {
        if (layout != null) {
            ClassSet classes = ClassNames.of(ckpt, data.data());
            LabelMap map = LabelMaps.read(layout);
            int[] values = InputFiles.labels(layout, map.height(), map.width(), classes.size());
            return new Layouts(new SegSample(layout.getFileName().toString(), map.height(), map.width(),
                    new float[3 * map.height() * map.width()], values), classes, null);
        }
        if (!data.given()) {
            throw new IllegalArgumentException("give --layout FILE or --data DIR");
        }
        SegDataset ds = data.open(count);
        return new Layouts(null, ds.classes(), ds);
    }

    /** Batch {@code b}: the results' files, JSON entries, confusion counts and grid tiles. */
    private List<ImageOutcome> batch(Plan plan, SegmentationModel model, int b) {
        Layouts layouts = plan.layouts();
        ClassSet classes = layouts.classes();
        int start = b * batch.get();
        int n = Math.min(batch.get(), layouts.size() - start);
        if (b < 0 || n < 1) {
            throw new IllegalArgumentException("batch " + b + " is outside the plan's " + plan.batches() + " batches");
        }
        List<SegSample> part = new ArrayList<>();
        for (int i = start; i < start + n; i++) {
            part.add(layouts.get(i));
        }
        Batch bt = Batch.of(part);
        List<ImageOutcome> outcomes = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager()) {
            SynthesisResult r = plan.gen().run(model, OwnedArrays.of(m, bt.labelData(), new Shape(bt.size(), bt.height(), bt.width()))
                    .toType(DataType.INT64, false), start);
            int h = r.height();
            int w = r.width();
            for (int i = 0; i < n; i++) {
                int index = start + i;
                SynthesisFiles.writeGeneration(out.dir(), index, r, i, classes);
                ObjectNode e = ResultJson.imageEntry(r, i, part.get(i).id(), 0);
                e.put("index", index);
                ConfusionMatrix self = new ConfusionMatrix(classes.size());
                self.add(r.prediction(i), r.target(i));
                List<byte[]> tiles = new ArrayList<>();
                if (index < gridRows) {
                    for (java.awt.image.BufferedImage t : List.of(ImageGrid.labels(r.target(i), h, w, classes),
                            ImageGrid.image(r.startImage(i), h, w), ImageGrid.image(r.image(i), h, w),
                            ImageGrid.labels(r.prediction(i), h, w, classes), ImageGrid.image(part.get(i).image(), h, w))) {
                        tiles.add(org.robustseg.data.Images.encodePng(t));
                    }
                }
                outcomes.add(new ImageOutcome(index, part.get(i).id(), e.toString(), self.counts(), tiles));
            }
        }
        return outcomes;
    }

    /** metrics.json and grid.png from every image's outcome (any order: they are put in layout order). */
    /** What the job gathered: per-image entries, the grid, the model's own confusion against the layouts. */
    private record Outcome(ArrayNode entries, ImageGrid grid, ConfusionMatrix self) {}

    private void writeMetrics(List<ImageOutcome> unordered, Plan plan) {
        Generation gen = plan.gen();
        Checkpoint ckpt = plan.ckpt();
        ColourStatistics stats = plan.stats();
        SegDataset ds = plan.layouts().dataSet();
        ClassSet classes = plan.layouts().classes();
        List<ImageOutcome> outcomes = unordered.stream().sorted(java.util.Comparator.comparingInt(ImageOutcome::index)).toList();
        ArrayNode entries = Json.MAPPER.createArrayNode();
        ImageGrid grid = new ImageGrid(List.of("layout", "seed", "result", "prediction", "real image"), 2);
        ConfusionMatrix selfAll = new ConfusionMatrix(classes.size());
        for (ImageOutcome o : outcomes) {
            try {
                entries.add(Json.MAPPER.readTree(o.entry()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            selfAll.merge(ConfusionMatrix.of(classes.size(), o.selfCounts()));
            if (!o.tiles().isEmpty() && grid.rows() < gridRows) {
                List<java.awt.image.BufferedImage> tiles = new ArrayList<>();
                for (byte[] png : o.tiles()) {
                    tiles.add(org.robustseg.data.Images.decode(png, o.id()));
                }
                grid.addRow(o.id(), tiles);
            }
        }
        Outcome outcome = new Outcome(entries, grid, selfAll);
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
