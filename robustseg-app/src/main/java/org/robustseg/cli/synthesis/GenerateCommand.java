package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.report.ImageGrid;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataSets;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.metric.ConfusionMatrix;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.ColourStatistics;
import org.robustseg.synth.Generation;
import org.robustseg.synth.SeedImage;
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./run generate ...}: images for label layouts, from seed images drawn from per-class colour statistics. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images for label layouts (--layout FILE, or the label maps of --data) with a net's input gradients.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory.")
    Path checkpoint;

    @Option(names = "--layout", description = "One layout: a label map (palette or gray PNG) of class ids.")
    Path layout;

    @Option(names = "--data", description = "Data directory: its train split gives the colour statistics; without --layout, the --split label maps are the layouts.")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split whose label maps are generated (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--count", defaultValue = "64", description = "Number of layouts from --data (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--statistics", description = "Colour statistics JSON (default: fitted on --data's train split, written to OUT/colour-statistics.json).")
    Path statistics;

    @Option(names = "--seed-image", defaultValue = "gaussian-lowres", description = "gaussian, gaussian-lowres or uniform (default ${DEFAULT-VALUE}).")
    String seedImage;

    @Option(names = "--norm", defaultValue = "l2", description = "l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "30", description = "Radius of the ball around the seed (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "100", description = "Iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "1.0", description = "Normalised step length (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Option(names = "--smoothing", defaultValue = "0", description = "Blur the gradient with this sigma before each step (default ${DEFAULT-VALUE}: off).")
    float smoothing;

    @Option(names = "--tv", defaultValue = "0", description = "Weight of a total-variation term (default ${DEFAULT-VALUE}: off).")
    float tv;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the seed images (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "16", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grid-rows", defaultValue = "16", description = "Rows of grid.png (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        if (count < 1 || batch < 1) {
            throw new IllegalArgumentException("--count and --batch must be at least 1");
        }
        Checkpoint ckpt = Checkpoint.open(checkpoint);
        SegDataset ds = null;
        List<SegSample> layouts = new ArrayList<>();
        ClassSet classes;
        if (layout != null) {
            classes = SynthSupport.classes(ckpt, data);
            LabelMap map = LabelMaps.read(layout);
            int[] values = SynthSupport.readLabels(layout, map.height(), map.width(), classes.size());
            layouts.add(new SegSample(layout.getFileName().toString(), map.height(), map.width(),
                    new float[3 * map.height() * map.width()], values));
        } else {
            if (data == null) {
                throw new IllegalArgumentException("give --layout FILE or --data DIR");
            }
            ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
            classes = ds.classes();
            for (int i = 0; i < ds.size(); i++) {
                layouts.add(ds.get(i));
            }
        }
        ColourStatistics stats = SynthSupport.statistics(statistics, data, out);
        Generation gen = Synthesis.generation(stats).seedImage(SeedImage.parse(seedImage)).norm(norm).eps(eps).stepSize(stepSize)
                .steps(steps).smoothing(smoothing).tv(tv).seed(seed);
        ArrayNode entries = SynthSupport.array();
        ImageGrid grid = new ImageGrid(List.of("layout", "seed", "result", "prediction", "real image"), 2);
        ConfusionMatrix self = new ConfusionMatrix(classes.size());
        try (SegmentationModel model = SynthSupport.load(ckpt, classes.size(), "checkpoint")) {
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("generate", layouts.size());
            for (int start = 0; start < layouts.size(); start += batch) {
                List<SegSample> part = layouts.subList(start, Math.min(layouts.size(), start + batch));
                org.robustseg.batch.Batch b = org.robustseg.batch.Batch.of(part);
                int h = b.height();
                int w = b.width();
                try (NDManager m = model.manager().newSubManager()) {
                    SynthesisResult r = gen.run(model, m.create(b.labelData(), new Shape(b.size(), h, w)).toType(DataType.INT64, false), start);
                    self.add(r.predictions(), r.target());
                    for (int i = 0; i < b.size(); i++) {
                        SynthSupport.writeGenerationFiles(out, start + i, r, i, classes);
                        ObjectNode e = SynthSupport.imageEntry(r, i, part.get(i).id(), 0);
                        e.put("index", start + i);
                        entries.add(e);
                        if (grid.rows() < gridRows) {
                            grid.addRow(part.get(i).id(), List.of(ImageGrid.labels(r.target(i), h, w, classes),
                                    ImageGrid.image(r.startImage(i), h, w), ImageGrid.image(r.image(i), h, w),
                                    ImageGrid.labels(r.prediction(i), h, w, classes), ImageGrid.image(part.get(i).image(), h, w)));
                        }
                    }
                }
                progress.advance(part.size(), null);
            }
            progress.finish();
        }
        ObjectNode json = Json.object();
        ObjectNode summary = json.putObject("summary");
        summary.put("images", entries.size());
        summary.put("self_miou", self.meanIou());
        summary.put("self_pixel_accuracy", self.pixelAccuracy());
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
        Provenance p = Provenance.of("generate").config(gen.settings()).seed(seed).put("checkpoint", ckpt.identity())
                .dataset("colour_statistics", stats.dataset(), 0, stats.contentHash());
        if (ds != null) {
            p.dataset("layouts", ds.name(), ds.size(), ds.contentHash());
        } else {
            p.put("layout", Json.toTree(layout.toAbsolutePath().toString()));
        }
        json.set("provenance", p.toJson());
        Json.write(out.resolve("metrics.json"), json);
        grid.write(out.resolve("grid.png"));
        System.out.printf("generated %d image(s): the model's own mIoU against the layouts %.3f, CE %.3f -> %.3f%n", entries.size(),
                self.meanIou(), before / entries.size(), after / entries.size());
        System.out.println("wrote " + out.resolve("metrics.json") + ", grid.png and NNNN_{seed,result,labels}.png");
        return 0;
    }
}
