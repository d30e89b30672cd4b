package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
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

    /** Runs the comparison and writes its files; returns what was measured. */
    public Result run() {
        if (count < 1 || hole < 1 || batch < 1) {
            throw new IllegalArgumentException("--count, --hole and --batch must be at least 1");
        }
        SegDataset ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
        LabelledCheckpoints.checkLabels(checkpoints.size(), labels);
        Checkpoint judgeCkpt = Checkpoint.open(judge);
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path p : checkpoints) { // before the colour statistics are written: a refused model leaves no file
            ckpts.add(Checkpoint.open(p).requireGradients("pag"));
        }
        Inpainting inpaintPreset = inpainting.configure(seed);
        Generation gen = generation == null ? null
                : generation.configure(ColourStatisticsSource.load(statistics, data, out), seed);
        int rows = Math.min(gridRows, ds.size());
        Tiles tiles = new Tiles(rows);
        ObjectNode json = Json.object();
        ArrayNode models = json.putArray("models");
        List<String> names = new ArrayList<>();
        try (SegmentationModel judgeModel = InputFiles.model(judgeCkpt, ds.classes().size(), "judge")) {
            json.set("baselines", Json.toTree(Pag.baselines(judgeModel, ds, inpaintPreset, gen, hole, batch)));
            for (int c = 0; c < ckpts.size(); c++) {
                String name = LabelledCheckpoints.name(ckpts.get(c), labels, c);
                names.add(name);
                models.add(score(ckpts.get(c), name, judgeModel, ds, inpaintPreset, gen, tiles, rows));
            }
        }
        writeGrids(ds, names, tiles, rows, gen != null);
        return writeTable(json, inpaintPreset, gen, judgeCkpt, ds);
    }

    /** One model's row of pag.json: its inpainting and generation as the judge scores them. */
    private ObjectNode score(Checkpoint ckpt, String name, SegmentationModel judgeModel, SegDataset ds, Inpainting inpaintPreset,
                             Generation gen, Tiles tiles, int rows) {
        String folder = name.replaceAll("[^A-Za-z0-9._-]", "_");
        Path inpaintFiles = images == null ? null : images.resolve("inpaint").resolve(folder);
        Path generateFiles = images == null ? null : images.resolve("generate").resolve(folder);
        ClassSet classes = ds.classes();
        ObjectNode row = Json.object();
        row.put("name", name);
        row.put("recipe", RobustnessComparison.describe(ckpt.meta().path("provenance").path("config").path("recipe")));
        row.set("checkpoint", ckpt.identity());
        ConsoleProgress progress = ConsoleProgress.stderr();
        try (SegmentationModel model = InputFiles.model(ckpt, classes.size(), "checkpoint")) {
            if (inpaint) {
                row.set("inpainting", Json.toTree(Pag.inpainting(model, judgeModel, ds, inpaintPreset, hole, batch, progress,
                        (first, samples, holes, r, judged) -> {
                            for (int i = 0; inpaintFiles != null && i < samples.size(); i++) {
                                SynthesisFiles.writeInpainting(inpaintFiles, first + i, samples.get(i), holes.get(i), r, i, classes);
                            }
                            for (int i = 0; i < samples.size() && first + i < rows; i++) {
                                List<BufferedImage> t = tiles.inpainting().get(first + i);
                                if (t.isEmpty()) {
                                    t.add(ImageGrid.image(SynthesisFiles.masked(samples.get(i).image(), holes.get(i)), r.height(), r.width()));
                                }
                                t.add(ImageGrid.image(r.image(i), r.height(), r.width()));
                            }
                        })));
            }
            if (gen != null) {
                row.set("generation", Json.toTree(Pag.generation(model, judgeModel, ds, gen, batch, progress,
                        (first, samples, holes, r, judged) -> {
                            for (int i = 0; generateFiles != null && i < samples.size(); i++) {
                                SynthesisFiles.writeGeneration(generateFiles, first + i, r, i, classes);
                            }
                            for (int i = 0; i < samples.size() && first + i < rows; i++) {
                                List<BufferedImage> t = tiles.generation().get(first + i);
                                if (t.isEmpty()) {
                                    t.add(ImageGrid.labels(r.target(i), r.height(), r.width(), classes));
                                    t.add(ImageGrid.image(r.startImage(i), r.height(), r.width()));
                                }
                                t.add(ImageGrid.image(r.image(i), r.height(), r.width()));
                            }
                        })));
            }
        }
        return row;
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
