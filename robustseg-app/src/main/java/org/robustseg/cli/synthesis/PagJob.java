package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.TaskJob;
import org.robustseg.cli.options.ColourStatisticsSource;
import org.robustseg.cli.options.GenerationParams;
import org.robustseg.cli.options.InpaintingParams;
import org.robustseg.cli.options.LabelledCheckpoints;
import org.robustseg.report.Format;
import org.robustseg.report.ImageGrid;
import org.robustseg.report.SynthesisFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.io.AtomicFiles;
import org.robustseg.metric.Pag;
import org.robustseg.metric.RobustnessComparison;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Inpainting;

/**
 * The work of {@code ./run pag}, as a value: each checkpoint inpaints and generates on the same
 * images, an independent judge scores the results; writes pag.md, pag.json and the picture grids
 * (inpainting.png, generation.png) to {@code out}. The command builds one from its options; the
 * demo builds one for its synthesis stage.
 *
 * @param checkpoints checkpoint files or run directories; {@code labels} their names (null: run name and epoch)
 * @param judge a checkpoint of another architecture, trained normally
 * @param data data directory; {@code split} its split, {@code count} its first images used
 * @param hole side of the square hole over each image's largest object
 * @param inpainting the inpainting settings (its settings are recorded even when {@code inpaint} is false)
 * @param inpaint whether to run the inpainting half
 * @param generation the generation settings, or null to skip the generation half
 * @param statistics colour statistics JSON (null: fitted on data's train split, written to out)
 * @param images folder for every result as files (null: none)
 */
public record PagJob(List<Path> checkpoints, List<String> labels, Path judge, Path data, String split, int count, int hole,
                     InpaintingParams inpainting, boolean inpaint, GenerationParams generation, Path statistics, long seed,
                     int batch, int gridRows, Path images, Path out) {
    public static final int DEFAULT_COUNT = 64;
    public static final int DEFAULT_GRID_ROWS = 12;

    /** What a run measured: pag.json's content and pag.md's table. */
    public record Result(ObjectNode json, String markdown) {}

    /** The first tiles of each grid row, per image, as the models' results come in. */
    private record Tiles(List<List<BufferedImage>> inpainting, List<List<BufferedImage>> generation) {
        Tiles(int rows) {
            this(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < rows; i++) {
                inpainting.add(new ArrayList<>());
                generation.add(new ArrayList<>());
            }
        }
    }

    /** A task's part: the judge's baselines, or one model's inpainting or generation, over one batch. */
    public enum Part { BASELINES, INPAINTING, GENERATION }

    /**
     * What one task hands back: its part, the model (checkpoint position; -1 for the baselines), its
     * batch's tally, and for images below --grid-rows their grid tiles as PNGs (lossless, so a
     * driver elsewhere draws the same grids): the leading tiles (masked input, or layout and seed)
     * and the model's result.
     */
    public record TaskOutcome(Part part, int model, Pag.Tally tally, List<Integer> rows, List<List<byte[]>> lead,
                              List<byte[]> results) implements java.io.Serializable {}

    /** What the job compares, checked: data, presets, checkpoints, judge, and the task list. */
    private record Plan(SegDataset data, Inpainting inpaint, Generation gen, Checkpoint judge, List<Checkpoint> ckpts,
                        List<String> names, int batches, int rows) {
        /** Tasks: the baselines' batches, then per model its inpainting batches and its generation batches. */
        int tasks(boolean inpaint) {
            return batches * (1 + ckpts.size() * ((inpaint ? 1 : 0) + (gen != null ? 1 : 0)));
        }
    }

    /** Runs the comparison and writes its files; returns what was measured. */
    public Result run() {
        try (Tasks job = job()) {
            int tasks = job.tasks();
            List<TaskOutcome> outcomes = new ArrayList<>();
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("pag", tasks);
            for (int t = 0; t < tasks; t++) {
                outcomes.add(job.run(t, null).get(0));
                progress.advance(1, null);
            }
            progress.finish();
            return job.write(outcomes);
        }
    }

    /**
     * The comparison as a {@link TaskJob}: one task per (part, model, batch); the judge and each
     * model are loaded on first use and kept until the job is closed. The figures of a part are its
     * batches' tallies merged in data-set order ({@link Pag.Tally#merge}), so they do not depend on
     * where or in which order the tasks ran.
     */
    public Tasks job() {
        return new Tasks();
    }

    /** See {@link #job()}. */
    public final class Tasks implements TaskJob<TaskOutcome> {
        private Plan plan;
        private SegmentationModel judgeModel;
        private final java.util.Map<Integer, SegmentationModel> models = new java.util.HashMap<>();

        private Tasks() {}

        @Override
        public int tasks() {
            if (plan == null) {
                plan = plan();
            }
            return plan.tasks(inpaint);
        }

        @Override
        public List<TaskOutcome> run(int task, ai.djl.Device device) {
            int total = tasks();
            if (task < 0 || task >= total) {
                throw new IllegalArgumentException("task " + task + " is outside the plan's " + total + " tasks");
            }
            SegDataset ds = plan.data();
            if (judgeModel == null) {
                judgeModel = InputFiles.model(plan.judge(), ds.classes().size(), "judge", device);
            }
            int b = task % plan.batches();
            int group = task / plan.batches();
            int start = b * batch;
            int n = Math.min(batch, ds.size() - start);
            if (group == 0) {
                return List.of(new TaskOutcome(Part.BASELINES, -1,
                        Pag.baselinesBatch(judgeModel, ds, plan.inpaint(), plan.gen(), hole, start, n), List.of(), List.of(), List.of()));
            }
            int perModel = (inpaint ? 1 : 0) + (plan.gen() != null ? 1 : 0);
            int c = (group - 1) / perModel;
            Part part = inpaint && (group - 1) % perModel == 0 ? Part.INPAINTING : Part.GENERATION;
            SegmentationModel model = models.computeIfAbsent(c,
                    k -> InputFiles.model(plan.ckpts().get(k), ds.classes().size(), "checkpoint", device));
            return List.of(part == Part.INPAINTING ? inpaintTask(plan, c, model, judgeModel, start, n)
                    : generateTask(plan, c, model, judgeModel, start, n));
        }

        @Override
        public void finish(List<TaskOutcome> results) {
            write(results);
        }

        Result write(List<TaskOutcome> results) {
            tasks();
            return PagJob.this.write(plan, results);
        }

        @Override
        public Path out() {
            return out;
        }

        @Override
        public void close() {
            models.values().forEach(SegmentationModel::close);
            models.clear();
            if (judgeModel != null) {
                judgeModel.close();
                judgeModel = null;
            }
        }
    }

    /** Checks everything before any model runs. */
    private Plan plan() {
        if (count < 1 || hole < 1 || batch < 1) {
            throw new IllegalArgumentException("--count, --hole and --batch must be at least 1");
        }
        SegDataset ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
        LabelledCheckpoints.checkLabels(checkpoints.size(), labels);
        Checkpoint judgeCkpt = Checkpoint.open(judge);
        List<Checkpoint> ckpts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        // every checkpoint checked before the colour statistics are written: a refused model leaves no file
        for (int c = 0; c < checkpoints.size(); c++) {
            Checkpoint ckpt = Checkpoint.open(checkpoints.get(c)).requireGradients("pag");
            if (ckpt.spec().numClasses() != ds.classes().size()) {
                throw new IllegalArgumentException("checkpoint " + ckpt.file() + " predicts " + ckpt.spec().numClasses()
                        + " classes but the data has " + ds.classes().size());
            }
            ckpts.add(ckpt);
            names.add(LabelledCheckpoints.name(ckpt, labels, c));
        }
        if (judgeCkpt.spec().numClasses() != ds.classes().size()) {
            throw new IllegalArgumentException("judge " + judgeCkpt.file() + " predicts " + judgeCkpt.spec().numClasses()
                    + " classes but the data has " + ds.classes().size());
        }
        Inpainting inpaintPreset = inpainting.configure(seed);
        Generation gen = generation == null ? null
                : generation.configure(ColourStatisticsSource.load(statistics, data, out), seed);
        return new Plan(ds, inpaintPreset, gen, judgeCkpt, ckpts, names, (ds.size() + batch - 1) / batch, Math.min(gridRows, ds.size()));
    }

    private String folder(Plan plan, int c) {
        return plan.names().get(c).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Model c's inpainting of one batch: files (with --images), tally, grid tiles. */
    private TaskOutcome inpaintTask(Plan plan, int c, SegmentationModel model, SegmentationModel judgeModel, int start, int n) {
        Path files = images == null ? null : images.resolve("inpaint").resolve(folder(plan, c));
        ClassSet classes = plan.data().classes();
        List<Integer> rows = new ArrayList<>();
        List<List<byte[]>> lead = new ArrayList<>();
        List<byte[]> results = new ArrayList<>();
        Pag.Tally tally = Pag.inpaintingBatch(model, judgeModel, plan.data(), plan.inpaint(), hole, start, n,
                (first, samples, holes, r, judged) -> {
                    for (int i = 0; files != null && i < samples.size(); i++) {
                        SynthesisFiles.writeInpainting(files, first + i, samples.get(i), holes.get(i), r, i, classes);
                    }
                    for (int i = 0; i < samples.size() && first + i < plan.rows(); i++) {
                        rows.add(first + i);
                        lead.add(List.of(png(ImageGrid.image(SynthesisFiles.masked(samples.get(i).image(), holes.get(i)), r.height(),
                                r.width()))));
                        results.add(png(ImageGrid.image(r.image(i), r.height(), r.width())));
                    }
                });
        return new TaskOutcome(Part.INPAINTING, c, tally, rows, lead, results);
    }

    /** Model c's generation for one batch of layouts: files (with --images), tally, grid tiles. */
    private TaskOutcome generateTask(Plan plan, int c, SegmentationModel model, SegmentationModel judgeModel, int start, int n) {
        Path files = images == null ? null : images.resolve("generate").resolve(folder(plan, c));
        ClassSet classes = plan.data().classes();
        List<Integer> rows = new ArrayList<>();
        List<List<byte[]>> lead = new ArrayList<>();
        List<byte[]> results = new ArrayList<>();
        Pag.Tally tally = Pag.generationBatch(model, judgeModel, plan.data(), plan.gen(), start, n,
                (first, samples, holes, r, judged) -> {
                    for (int i = 0; files != null && i < samples.size(); i++) {
                        SynthesisFiles.writeGeneration(files, first + i, r, i, classes);
                    }
                    for (int i = 0; i < samples.size() && first + i < plan.rows(); i++) {
                        rows.add(first + i);
                        lead.add(List.of(png(ImageGrid.labels(r.target(i), r.height(), r.width(), classes)),
                                png(ImageGrid.image(r.startImage(i), r.height(), r.width()))));
                        results.add(png(ImageGrid.image(r.image(i), r.height(), r.width())));
                    }
                });
        return new TaskOutcome(Part.GENERATION, c, tally, rows, lead, results);
    }

    private static byte[] png(BufferedImage image) {
        return org.robustseg.data.Images.encodePng(image);
    }

    /** pag.json, pag.md and the grids from every task's outcome (any order). */
    private Result write(Plan plan, List<TaskOutcome> outcomes) {
        SegDataset ds = plan.data();
        int classes = ds.classes().size();
        ObjectNode json = Json.object();
        ArrayNode models = json.putArray("models");
        json.set("baselines", Json.toTree(Pag.baselines(Pag.Tally.merge(tallies(outcomes, Part.BASELINES, -1)), classes,
                plan.gen() != null)));
        Tiles tiles = new Tiles(plan.rows());
        for (int c = 0; c < plan.ckpts().size(); c++) {
            Checkpoint ckpt = plan.ckpts().get(c);
            ObjectNode row = Json.object();
            row.put("name", plan.names().get(c));
            row.put("recipe", RobustnessComparison.describe(ckpt.meta().path("provenance").path("config").path("recipe")));
            row.set("checkpoint", ckpt.identity());
            if (inpaint) {
                row.set("inpainting", Json.toTree(Pag.inpaintingScores(Pag.Tally.merge(tallies(outcomes, Part.INPAINTING, c)))));
                addTiles(tiles.inpainting(), outcomes, Part.INPAINTING, c);
            }
            if (plan.gen() != null) {
                row.set("generation", Json.toTree(Pag.generationScores(Pag.Tally.merge(tallies(outcomes, Part.GENERATION, c)), classes)));
                addTiles(tiles.generation(), outcomes, Part.GENERATION, c);
            }
            models.add(row);
        }
        writeGrids(ds, plan.names(), tiles, plan.rows(), plan.gen() != null);
        return writeTable(json, plan.inpaint(), plan.gen(), plan.judge(), ds);
    }

    private static List<Pag.Tally> tallies(List<TaskOutcome> outcomes, Part part, int model) {
        return outcomes.stream().filter(o -> o.part() == part && o.model() == model).map(TaskOutcome::tally).toList();
    }

    /** Model c's tiles into the rows: the leading tiles once (from the first model), then its result. */
    private static void addTiles(List<List<BufferedImage>> rows, List<TaskOutcome> outcomes, Part part, int c) {
        for (TaskOutcome o : outcomes) {
            if (o.part() != part || o.model() != c) {
                continue;
            }
            for (int k = 0; k < o.rows().size(); k++) {
                List<BufferedImage> t = rows.get(o.rows().get(k));
                if (t.isEmpty()) {
                    o.lead().get(k).forEach(png -> t.add(org.robustseg.data.Images.decode(png, "grid tile")));
                }
                t.add(org.robustseg.data.Images.decode(o.results().get(k), "grid tile"));
            }
        }
    }

    /** inpainting.png and generation.png: the first tiles of each row, one column per model, then the real image. */
    private void writeGrids(SegDataset ds, List<String> names, Tiles tiles, int rows, boolean generated) {
        if (inpaint) {
            writeGrid(ds, List.of("masked input"), names, "original", tiles.inpainting(), rows, out.resolve("inpainting.png"));
        }
        if (generated) {
            writeGrid(ds, List.of("layout", "seed"), names, "real image", tiles.generation(), rows, out.resolve("generation.png"));
        }
    }

    private static void writeGrid(SegDataset ds, List<String> first, List<String> names, String last, List<List<BufferedImage>> tiles,
                                  int rows, Path file) {
        List<String> titles = new ArrayList<>(first);
        titles.addAll(names);
        titles.add(last);
        ImageGrid grid = new ImageGrid(titles, 2);
        for (int i = 0; i < rows; i++) {
            List<BufferedImage> t = new ArrayList<>(tiles.get(i));
            t.add(ImageGrid.image(ds.get(i).image(), ds.get(i).height(), ds.get(i).width()));
            grid.addRow(ds.get(i).id(), t);
        }
        grid.write(file);
    }

    /** pag.json and pag.md. */
    private Result writeTable(ObjectNode json, Inpainting inpaintPreset, Generation gen, Checkpoint judgeCkpt, SegDataset ds) {
        json.set("inpainting_settings", Json.toTree(inpaintPreset.settings()));
        if (gen != null) {
            json.set("generation_settings", Json.toTree(gen.settings()));
        }
        json.put("hole", hole);
        json.set("judge", judgeCkpt.identity());
        json.set("provenance", Provenance.of("pag").config(inpaintPreset.settings()).seed(seed)
                .dataset("eval", ds.name(), ds.size(), ds.contentHash()).toJson());
        Json.write(out.resolve("pag.json"), json);
        String md = table(json, judgeCkpt, ds);
        AtomicFiles.writeString(out.resolve("pag.md"), md);
        return new Result(json, md);
    }

    private String table(ObjectNode json, Checkpoint judgeCkpt, SegDataset ds) {
        StringBuilder md = new StringBuilder();
        JsonNode base = json.path("baselines");
        md.append("| model | recipe | judge acc. hole (objects) | judge acc. objects, blurred | judge acc. hole (all) | own acc. objects"
                + " | PSNR hole dB | SSIM hole | gradient cosine | blurred gradient | judge mIoU generation | blurred | own mIoU generation |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : json.path("models")) {
            JsonNode in = row.path("inpainting");
            JsonNode g = row.path("generation");
            md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", row.path("name").asText(),
                    row.path("recipe").asText(), f3(in, "judgeAccuracyObjects"), f3(in, "judgeAccuracyObjectsBlurred"),
                    f3(in, "judgeAccuracyHole"), f3(in, "selfAccuracyObjects"), f2(in, "psnr"), f3(in, "ssim"), f3(in, "gradientCosine"),
                    f3(in, "gradientCosineBlurred"), f3(g, "judgeMiou"), f3(g, "judgeMiouBlurred"), f3(g, "selfMiou")));
        }
        md.append(String.format("| real images | — | %s | | | | | | | | %s | | |%n", f3(base, "judgeAccuracyObjectsReal"),
                f3(base, "judgeMiouReal")));
        md.append(String.format("| filled hole / seed images (no optimisation) | — | %s | | | | %s | %s | | | %s | | |%n",
                f3(base, "judgeAccuracyObjectsFilled"), f2(base, "psnrFilled"), f3(base, "ssimFilled"), f3(base, "judgeMiouSeeds")));
        md.append(String.format("%nJudge: %s (%s). Data: %s, %d images, %d-pixel square hole over the largest object, target = the true"
                + " label map. Inpainting: %s. Generation: %s. Accuracies pooled over pixels; 'objects' = pixels of the hole whose"
                + " target is not background; 'blurred' = the judge on the result after a Gaussian blur of sigma 1; gradient cosine ="
                + " cosine between the first step's descent direction and (original - filled) inside the hole, mean over images; 'blurred"
                + " gradient' = the same after a Gaussian blur of sigma 1 of the descent direction (a diagnostic of its high-frequency"
                + " part, not the loop's update).%n",
                judgeCkpt.file(), judgeCkpt.spec().name(), ds.name(), ds.size(), hole, json.path("inpainting_settings"),
                json.path("generation_settings").isMissingNode() ? "skipped" : json.path("generation_settings").toString()));
        return md.toString();
    }

    private static String f3(JsonNode n, String key) {
        return Format.fixed(n.path(key), 3, Format.DASH);
    }

    private static String f2(JsonNode n, String key) {
        return Format.fixed(n.path(key), 2, Format.DASH);
    }
}
