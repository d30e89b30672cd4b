package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.TaskJob;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.Boxes;
import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.DataSetMode;
import org.robustseg.cli.options.InpaintingOptions;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.report.ImageGrid;
import org.robustseg.report.SynthesisFiles;

import ai.djl.ndarray.NDArray;
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
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.metric.PagMetrics;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.Hole;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.SynthesisResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run inpaint ...}: inpaint one image's hole (given as a mask or a box) or, in data-set
 * mode, a square hole over the largest object of each of the first images of a split.
 */
@Command(name = "inpaint", mixinStandardHelpOptions = true,
        description = "Inpaint a hole with a segmentation net's input gradients (one image, or --data for a data set).")
public final class InpaintCommand implements Callable<Integer> {
    @Mixin
    CheckpointFile checkpoint;

    @Option(names = "--image", description = "The image to inpaint (PNG/JPEG, RGB).")
    Path image;

    @Option(names = "--mask", description = "Mask image of the same size: white = hole.")
    Path mask;

    @Option(names = "--box", description = "The hole as a rectangle x,y,w,h (column, row, width, height).")
    String box;

    @Option(names = "--labels", description = "Target label map (palette or gray PNG); default: the model's prediction outside the hole and --class inside.")
    Path labels;

    @Option(names = "--class", description = "Class (name or id) to paint into the hole when no --labels is given.")
    String cls;

    @Mixin
    DataSetMode data;

    @Option(names = "--count", defaultValue = "64", description = "Data-set mode: number of images (default ${DEFAULT-VALUE}).")
    int count;

    @Mixin
    InpaintingOptions options;

    @Mixin
    Seed seed;

    @Mixin
    BatchSize batch;

    @Option(names = "--grid-rows", defaultValue = "16", description = "Rows of grid.png (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Mixin
    OutputDirectory out;

    Inpainting configure() {
        return options.params().configure(seed.get());
    }

    @Override
    public Integer call() {
        Inpainting inpaint = configure();
        if (data.given()) {
            if (image != null || mask != null || box != null || labels != null) {
                throw new IllegalArgumentException("--data (data-set mode) does not combine with --image, --mask, --box or --labels");
            }
            return dataSet();
        }
        if (image == null) {
            throw new IllegalArgumentException("give --image with --mask or --box, or --data for data-set mode");
        }
        if ((mask == null) == (box == null)) {
            throw new IllegalArgumentException("give exactly one of --mask and --box");
        }
        return single(inpaint);
    }

    private int single(Inpainting inpaint) {
        Checkpoint ckpt = checkpoint.open().requireGradients("synthesis"); // before any file is written
        ClassSet classes = ClassNames.of(ckpt, null);
        SegSample img = InputFiles.rgb(image);
        int h = img.height();
        int w = img.width();
        Hole hl;
        if (mask != null) {
            hl = Hole.read(mask, h, w);
        } else {
            int[] b = Boxes.parse(box);
            try {
                hl = Hole.box(b[0], b[1], b[2], b[3], h, w);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--box: " + e.getMessage());
            }
        }
        int[] target = null;
        Integer inside = null;
        if (labels != null) {
            if (cls != null) {
                throw new IllegalArgumentException("give either --labels or --class, not both");
            }
            target = InputFiles.labels(labels, h, w, classes.size());
        } else {
            if (cls == null) {
                throw new IllegalArgumentException("without --labels, --class must say what to paint into the hole");
            }
            inside = ClassNames.parse(cls, classes, "--class");
        }
        try (SegmentationModel model = InputFiles.model(ckpt, classes.size(), "checkpoint");
                NDManager m = model.manager().newSubManager()) {
            NDArray x = OwnedArrays.of(m, img.image(), new Shape(1, 3, h, w));
            List<Hole> holes = List.of(hl);
            if (target == null) {
                target = inpaint.targetFromPrediction(model, x, holes, inside, 0);
            }
            NDArray t = OwnedArrays.of(m, target, new Shape(1, h, w)).toType(DataType.INT64, false);
            SynthesisResult r = inpaint.run(model, x, holes, t);
            finish(List.of(outcome(r, 0, 0, img, hl, classes)), inpaint, ckpt, null);
        }
        return 0;
    }

    /**
     * Data-set mode, planned: the first --count images of the split, the inpainting settings and the
     * checkpoint; batch k holds images k·batch .. k·batch+batch-1 wherever it runs.
     */
    public record DataSetPlan(SegDataset data, Inpainting inpaint, Checkpoint ckpt, int batches) {}

    /**
     * One image of data-set mode as it leaves its batch (its files already written): its
     * metrics.json entry and, for the first --grid-rows images, its grid row as PNG tiles —
     * lossless, so a process elsewhere (a cluster's driver) draws the same grid.png.
     */
    public record ImageOutcome(int index, String id, String entry, List<byte[]> tiles) implements java.io.Serializable {}

    /**
     * The data-set mode of {@code ./run inpaint ARGS} without running it: how a process that runs
     * part of it elsewhere (a cluster node) rebuilds exactly what its driver planned.
     */
    public static InpaintCommand parse(String... args) {
        InpaintCommand command = new InpaintCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command;
    }

    /** Checks the options of data-set mode and opens the data set. */
    public DataSetPlan dataSetPlan() {
        if (!data.given()) {
            throw new IllegalArgumentException("give --data: only data-set mode runs on a cluster");
        }
        if (image != null || mask != null || box != null || labels != null) {
            throw new IllegalArgumentException("--data (data-set mode) does not combine with --image, --mask, --box or --labels");
        }
        if (count < 1 || options.hole() < 1 || batch.get() < 1) {
            throw new IllegalArgumentException("--count, --hole and --batch must be at least 1");
        }
        SegDataset ds = data.open(count);
        Checkpoint ckpt = checkpoint.open().requireGradients("synthesis"); // before any file is written
        return new DataSetPlan(ds, configure(), ckpt, (ds.size() + batch.get() - 1) / batch.get());
    }

    /**
     * Data-set mode as a {@link TaskJob}: task b is batch b; the model is loaded on the first task
     * and kept until the job is closed.
     */
    public TaskJob<ImageOutcome> dataSetJob() {
        return dataSetJob(null);
    }

    private TaskJob<ImageOutcome> dataSetJob(DataSetPlan known) {
        return new TaskJob<>() {
            private DataSetPlan plan = known;
            private SegmentationModel model;

            @Override
            public int tasks() {
                if (plan == null) {
                    plan = dataSetPlan();
                }
                return plan.batches();
            }

            @Override
            public List<ImageOutcome> run(int task, ai.djl.Device device) {
                tasks();
                if (model == null) {
                    model = InputFiles.model(plan.ckpt(), plan.data().classes().size(), "checkpoint", device);
                }
                return dataSetBatch(plan, model, task);
            }

            @Override
            public void finish(List<ImageOutcome> results) {
                tasks();
                dataSetFinish(plan, results);
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

    private int dataSet() {
        DataSetPlan plan = dataSetPlan();
        try (TaskJob<ImageOutcome> job = dataSetJob(plan)) {
            int tasks = job.tasks();
            SegDataset ds = plan.data();
            List<ImageOutcome> outcomes = new ArrayList<>();
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("inpaint " + ds.name(), ds.size());
            for (int b = 0; b < tasks; b++) {
                List<ImageOutcome> part = job.run(b, null);
                outcomes.addAll(part);
                progress.advance(part.size(), null);
            }
            progress.finish();
            job.finish(outcomes);
        }
        return 0;
    }

    /**
     * Batch {@code b} of data-set mode: inpaints its images, writes their files (each atomically)
     * and returns their outcomes. Every random draw is keyed by the image's index in the data set
     * (the fill's noise), so a batch gives the same result in any process.
     */
    public List<ImageOutcome> dataSetBatch(DataSetPlan plan, SegmentationModel model, int b) {
        SegDataset ds = plan.data();
        ClassSet classes = ds.classes();
        int start = b * batch.get();
        int n = Math.min(batch.get(), ds.size() - start);
        if (b < 0 || n < 1) {
            throw new IllegalArgumentException("batch " + b + " is outside the plan's " + plan.batches() + " batches");
        }
        List<SegSample> samples = new ArrayList<>();
        List<Hole> holes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SegSample s = ds.get(start + i);
            samples.add(s);
            holes.add(Hole.overLargestObject(s.labels(), s.height(), s.width(), options.hole(), 0, classes.size()));
        }
        List<ImageOutcome> outcomes = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager()) {
            org.robustseg.batch.Batch batchOf = org.robustseg.batch.Batch.of(samples);
            SynthesisResult r = plan.inpaint().run(model, batchOf.images(m), holes, batchOf.labels(m), start);
            for (int i = 0; i < n; i++) {
                outcomes.add(outcome(r, i, start + i, samples.get(i), holes.get(i), classes));
            }
        }
        return outcomes;
    }

    /** metrics.json and grid.png from every image's outcome (any order: they are put in data-set order). */
    public void dataSetFinish(DataSetPlan plan, List<ImageOutcome> outcomes) {
        finish(outcomes, plan.inpaint(), plan.ckpt(), plan.data());
    }

    private ImageGrid grid() {
        return new ImageGrid(List.of("masked", "filled", "result", "target", "prediction", "original"), 2);
    }

    /** Writes image i's files and returns its outcome: metrics.json entry, and grid tiles for the first --grid-rows images. */
    private ImageOutcome outcome(SynthesisResult r, int i, int index, SegSample original, Hole hl, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        float[] result = r.image(i);
        float[] masked = SynthesisFiles.masked(original.image(), hl);
        SynthesisFiles.writeInpainting(out.dir(), index, original, hl, r, i, classes);
        ObjectNode e = ResultJson.imageEntry(r, i, original.id(), 0);
        e.put("index", index);
        int[] bounds = hl.bounds();
        e.putArray("hole_box_xywh").add(bounds[1]).add(bounds[0]).add(bounds[3] - bounds[1] + 1).add(bounds[2] - bounds[0] + 1);
        boolean[] in = hl.pixels();
        ResultJson.putNumber(e, "psnr_hole", PagMetrics.maskedPsnr(result, original.image(), in));
        ResultJson.putNumber(e, "ssim_hole", PagMetrics.maskedSsim(result, original.image(), in, h, w));
        ResultJson.putNumber(e, "psnr_hole_filled", PagMetrics.maskedPsnr(r.startImage(i), original.image(), in));
        List<byte[]> tiles = new ArrayList<>();
        if (index < gridRows) {
            for (java.awt.image.BufferedImage t : List.of(ImageGrid.image(masked, h, w), ImageGrid.image(r.startImage(i), h, w),
                    ImageGrid.image(result, h, w), ImageGrid.labels(r.target(i), h, w, classes),
                    ImageGrid.labels(r.prediction(i), h, w, classes), ImageGrid.image(original.image(), h, w))) {
                tiles.add(org.robustseg.data.Images.encodePng(t));
            }
        }
        return new ImageOutcome(index, original.id(), e.toString(), tiles);
    }

    private void finish(List<ImageOutcome> unordered, Inpainting inpaint, Checkpoint ckpt, SegDataset ds) {
        List<ImageOutcome> outcomes = unordered.stream().sorted(java.util.Comparator.comparingInt(ImageOutcome::index)).toList();
        ArrayNode entries = Json.MAPPER.createArrayNode();
        ImageGrid grid = grid();
        for (ImageOutcome o : outcomes) {
            try {
                entries.add(Json.MAPPER.readTree(o.entry()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (!o.tiles().isEmpty() && grid.rows() < gridRows) {
                List<java.awt.image.BufferedImage> tiles = new ArrayList<>();
                for (byte[] png : o.tiles()) {
                    tiles.add(org.robustseg.data.Images.decode(png, o.id()));
                }
                grid.addRow(o.id(), tiles);
            }
        }
        ObjectNode json = Json.object();
        ObjectNode summary = json.putObject("summary");
        for (String key : List.of("loss_before", "loss_after", "self_accuracy", "self_accuracy_objects", "psnr_hole", "ssim_hole",
                "psnr_hole_filled")) {
            double[] v = new double[entries.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = entries.get(i).path(key).isNumber() ? entries.get(i).path(key).asDouble() : Double.NaN;
            }
            ResultJson.putNumber(summary, key, ResultJson.meanOfFinite(v));
        }
        summary.put("images", entries.size());
        json.set("settings", Json.toTree(inpaint.settings()));
        json.set("images", entries);
        Provenance p = Provenance.of("inpaint").config(inpaint.settings()).seed(seed.get())
                .put("checkpoint", ckpt.identity());
        if (ds != null) {
            p.dataset("inpaint", ds.name(), ds.size(), ds.contentHash());
            json.put("hole", options.hole());
        } else {
            ObjectNode inputs = Json.object();
            inputs.put("image", image.toAbsolutePath().toString());
            inputs.put("mask", mask == null ? null : mask.toAbsolutePath().toString());
            inputs.put("box", box);
            inputs.put("labels", labels == null ? null : labels.toAbsolutePath().toString());
            inputs.put("class", cls);
            p.put("inputs", inputs);
        }
        json.set("provenance", p.toJson());
        Json.write(out.resolve("metrics.json"), json);
        grid.write(out.resolve("grid.png"));
        System.out.printf("inpainted %d image(s): model's own accuracy in the hole %.3f (objects %.3f), CE %.3f -> %.3f, "
                        + "PSNR %.2f dB, SSIM %.3f%n", entries.size(), summary.path("self_accuracy").asDouble(),
                summary.path("self_accuracy_objects").asDouble(), summary.path("loss_before").asDouble(),
                summary.path("loss_after").asDouble(), summary.path("psnr_hole").asDouble(), summary.path("ssim_hole").asDouble());
        System.out.println("wrote " + out.resolve("metrics.json") + ", grid.png and NNNN_{original,mask,masked,result,labels}.png");
    }
}
