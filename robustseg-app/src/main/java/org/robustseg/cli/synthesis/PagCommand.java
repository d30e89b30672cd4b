package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.report.ImageGrid;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.io.AtomicFiles;
import org.robustseg.metric.Pag;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.ColourStatistics;
import org.robustseg.synth.Fill;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.SeedImage;
import org.robustseg.synth.Synthesis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run pag ...}: the perceptually-aligned-gradient comparison. Each checkpoint inpaints
 * and generates on the same images; an independent judge scores the results. One table
 * (pag.md, pag.json) and picture grids (inpainting.png, generation.png).
 */
@Command(name = "pag", mixinStandardHelpOptions = true,
        description = "Compare checkpoints' inpainting and generation as judged by an independent model (pag.md, pag.json, grids).")
public final class PagCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory; repeat (e.g. standard, then robust).")
    List<Path> checkpoints;

    @Option(names = "--judge", required = true, description = "The judge: a checkpoint of another architecture, trained normally.")
    Path judgePath;

    @Option(names = "--data", required = true, description = "Data directory.")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--count", defaultValue = "64", description = "Number of images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--hole", defaultValue = "22", description = "Side of the square hole (default ${DEFAULT-VALUE}).")
    int hole;

    @Option(names = "--fill", defaultValue = "mean", description = "Inpainting fill: mean, noise or blur (default ${DEFAULT-VALUE}).")
    String fill;

    @Option(names = "--norm", defaultValue = "l2", description = "Inpainting ball: l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "8", description = "Inpainting ball radius (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "60", description = "Inpainting iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "0.25", description = "Inpainting step (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Option(names = "--dilate", defaultValue = "3", description = "Inpainting loss over the hole grown by this many pixels (default ${DEFAULT-VALUE}).")
    int dilate;

    @Option(names = "--smoothing", defaultValue = "0", description = "Gradient blur sigma for inpainting and generation (default ${DEFAULT-VALUE}).")
    float smoothing;

    @Option(names = "--tv", defaultValue = "0", description = "Total-variation weight for inpainting and generation (default ${DEFAULT-VALUE}).")
    float tv;

    @Option(names = "--no-generation", description = "Skip the generation half.")
    boolean noGeneration;

    @Option(names = "--no-inpainting", description = "Skip the inpainting half.")
    boolean noInpainting;

    @Option(names = "--seed-image", defaultValue = "gaussian-lowres", description = "Generation seeds: gaussian, gaussian-lowres or uniform (default ${DEFAULT-VALUE}).")
    String seedImage;

    @Option(names = "--gen-eps", defaultValue = "30", description = "Generation ball radius (default ${DEFAULT-VALUE}).")
    float genEps;

    @Option(names = "--gen-steps", defaultValue = "100", description = "Generation iterations (default ${DEFAULT-VALUE}).")
    int genSteps;

    @Option(names = "--gen-step-size", defaultValue = "1.0", description = "Generation step (default ${DEFAULT-VALUE}).")
    float genStepSize;

    @Option(names = "--statistics", description = "Colour statistics JSON (default: fitted on --data's train split, written to OUT/colour-statistics.json).")
    Path statistics;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "16", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grid-rows", defaultValue = "12", description = "Rows of the picture grids (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--label", description = "Name of each checkpoint in tables and folders, in --checkpoint order "
            + "(default: run name and epoch).")
    List<String> labels;

    @Option(names = "--images", description = "Also write every result as files: DIR/inpaint/LABEL/NNNN_{original,mask,masked,"
            + "result,labels}.png and DIR/generate/LABEL/NNNN_{seed,result,labels}.png.")
    Path images;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        if (count < 1 || hole < 1 || batch < 1) {
            throw new IllegalArgumentException("--count, --hole and --batch must be at least 1");
        }
        SegDataset ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
        ClassSet classes = ds.classes();
        Inpainting inpaint = Synthesis.inpainting().norm(norm).eps(eps).stepSize(stepSize).steps(steps).fill(Fill.parse(fill))
                .dilate(dilate).smoothing(smoothing).tv(tv).seed(seed);
        Generation gen = null;
        if (!noGeneration) {
            ColourStatistics stats = SynthSupport.statistics(statistics, data, out);
            gen = Synthesis.generation(stats).seedImage(SeedImage.parse(seedImage)).eps(genEps).steps(genSteps).stepSize(genStepSize)
                    .smoothing(smoothing).tv(tv).seed(seed);
        }
        SynthSupport.checkLabels(checkpoints.size(), labels);
        Checkpoint judgeCkpt = Checkpoint.open(judgePath);
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path p : checkpoints) {
            ckpts.add(Checkpoint.open(p));
        }
        int rows = Math.min(gridRows, ds.size());
        List<List<BufferedImage>> inpaintTiles = new ArrayList<>();
        List<List<BufferedImage>> genTiles = new ArrayList<>();
        List<String> names = new ArrayList<>();
        ObjectNode json = Json.object();
        ArrayNode models = json.putArray("models");
        ConsoleProgress progress = ConsoleProgress.stderr();
        try (SegmentationModel judge = SynthSupport.load(judgeCkpt, classes.size(), "judge")) {
            Pag.Baselines base = Pag.baselines(judge, ds, inpaint, gen, hole, batch);
            json.set("baselines", Json.toTree(base));
            for (int i = 0; i < rows; i++) {
                inpaintTiles.add(new ArrayList<>());
                genTiles.add(new ArrayList<>());
            }
            for (int c = 0; c < ckpts.size(); c++) {
                Checkpoint ckpt = ckpts.get(c);
                String name = SynthSupport.name(ckpt, labels, c);
                String folder = name.replaceAll("[^A-Za-z0-9._-]", "_");
                Path inpaintFiles = images == null ? null : images.resolve("inpaint").resolve(folder);
                Path generateFiles = images == null ? null : images.resolve("generate").resolve(folder);
                names.add(name);
                ObjectNode row = models.addObject();
                row.put("name", name);
                row.put("recipe", org.robustseg.metric.RobustnessComparison.describe(ckpt.meta().path("provenance").path("config").path("recipe")));
                row.set("checkpoint", ckpt.identity());
                try (SegmentationModel model = SynthSupport.load(ckpt, classes.size(), "checkpoint")) {
                    if (!noInpainting) {
                        Pag.InpaintingScores s = Pag.inpainting(model, judge, ds, inpaint, hole, batch, progress,
                                (first, samples, holes, r, judged) -> {
                                    for (int i = 0; inpaintFiles != null && i < samples.size(); i++) {
                                        SynthSupport.writeInpaintingFiles(inpaintFiles, first + i, samples.get(i), holes.get(i), r, i, classes);
                                    }
                                    for (int i = 0; i < samples.size() && first + i < rows; i++) {
                                        List<BufferedImage> t = inpaintTiles.get(first + i);
                                        int h = r.height();
                                        int w = r.width();
                                        if (t.isEmpty()) {
                                            t.add(ImageGrid.image(SynthSupport.masked(samples.get(i).image(), holes.get(i)), h, w));
                                        }
                                        t.add(ImageGrid.image(r.image(i), h, w));
                                    }
                                });
                        row.set("inpainting", Json.toTree(s));
                    }
                    if (gen != null) {
                        Pag.GenerationScores g = Pag.generation(model, judge, ds, gen, batch, progress,
                                (first, samples, holes, r, judged) -> {
                                    for (int i = 0; generateFiles != null && i < samples.size(); i++) {
                                        SynthSupport.writeGenerationFiles(generateFiles, first + i, r, i, classes);
                                    }
                                    for (int i = 0; i < samples.size() && first + i < rows; i++) {
                                        List<BufferedImage> t = genTiles.get(first + i);
                                        if (t.isEmpty()) {
                                            t.add(ImageGrid.labels(r.target(i), r.height(), r.width(), classes));
                                            t.add(ImageGrid.image(r.startImage(i), r.height(), r.width()));
                                        }
                                        t.add(ImageGrid.image(r.image(i), r.height(), r.width()));
                                    }
                                });
                        row.set("generation", Json.toTree(g));
                    }
                }
            }
        }
        if (!noInpainting) {
            List<String> titles = new ArrayList<>(List.of("masked input"));
            names.forEach(n -> titles.add(n));
            titles.add("original");
            ImageGrid grid = new ImageGrid(titles, 2);
            for (int i = 0; i < rows; i++) {
                List<BufferedImage> t = new ArrayList<>(inpaintTiles.get(i));
                t.add(ImageGrid.image(ds.get(i).image(), ds.get(i).height(), ds.get(i).width()));
                grid.addRow(ds.get(i).id(), t);
            }
            grid.write(out.resolve("inpainting.png"));
        }
        if (gen != null) {
            List<String> titles = new ArrayList<>(List.of("layout", "seed"));
            names.forEach(n -> titles.add(n));
            titles.add("real image");
            ImageGrid grid = new ImageGrid(titles, 2);
            for (int i = 0; i < rows; i++) {
                List<BufferedImage> t = new ArrayList<>(genTiles.get(i));
                t.add(ImageGrid.image(ds.get(i).image(), ds.get(i).height(), ds.get(i).width()));
                grid.addRow(ds.get(i).id(), t);
            }
            grid.write(out.resolve("generation.png"));
        }
        json.set("inpainting_settings", Json.toTree(inpaint.settings()));
        if (gen != null) {
            json.set("generation_settings", Json.toTree(gen.settings()));
        }
        json.put("hole", hole);
        json.set("judge", judgeCkpt.identity());
        json.set("provenance", Provenance.of("pag").config(inpaint.settings()).seed(seed)
                .dataset("eval", ds.name(), ds.size(), ds.contentHash()).toJson());
        Json.write(out.resolve("pag.json"), json);
        String md = table(json, judgeCkpt, ds);
        AtomicFiles.writeString(out.resolve("pag.md"), md);
        System.out.print(md);
        System.out.println("wrote " + out.resolve("pag.md") + ", pag.json" + (noInpainting ? "" : ", inpainting.png")
                + (gen == null ? "" : ", generation.png"));
        return 0;
    }

    private String table(ObjectNode json, Checkpoint judge, SegDataset ds) {
        StringBuilder md = new StringBuilder();
        var base = json.path("baselines");
        md.append("| model | recipe | judge acc. hole (objects) | judge acc. objects, blurred | judge acc. hole (all) | own acc. objects"
                + " | PSNR hole dB | SSIM hole | gradient cosine | blurred gradient | judge mIoU generation | blurred | own mIoU generation |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var row : json.path("models")) {
            var in = row.path("inpainting");
            var g = row.path("generation");
            md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", row.path("name").asText(),
                    row.path("recipe").asText(), f(in, "judgeAccuracyObjects"), f(in, "judgeAccuracyObjectsBlurred"),
                    f(in, "judgeAccuracyHole"), f(in, "selfAccuracyObjects"), f2(in, "psnr"), f(in, "ssim"), f(in, "gradientCosine"),
                    f(in, "gradientCosineBlurred"), f(g, "judgeMiou"), f(g, "judgeMiouBlurred"), f(g, "selfMiou")));
        }
        md.append(String.format("| real images | — | %s | | | | | | | | %s | | |%n", f(base, "judgeAccuracyObjectsReal"), f(base, "judgeMiouReal")));
        md.append(String.format("| filled hole / seed images (no optimisation) | — | %s | | | | %s | %s | | | %s | | |%n",
                f(base, "judgeAccuracyObjectsFilled"), f2(base, "psnrFilled"), f(base, "ssimFilled"), f(base, "judgeMiouSeeds")));
        md.append(String.format("%nJudge: %s (%s). Data: %s, %d images, %d-pixel square hole over the largest object, target = the true"
                + " label map. Inpainting: %s. Generation: %s. Accuracies pooled over pixels; 'objects' = pixels of the hole whose"
                + " target is not background; 'blurred' = the judge on the result after a Gaussian blur of sigma 1; gradient cosine ="
                + " cosine between the first step's descent direction and (original - filled) inside the hole, mean over images; 'blurred"
                + " gradient' = the same after a Gaussian blur of sigma 1 of the descent direction (a diagnostic of its high-frequency"
                + " part, not the loop's update).%n",
                judge.file(), judge.spec().name(), ds.name(), ds.size(), hole, json.path("inpainting_settings"),
                json.path("generation_settings").isMissingNode() ? "skipped" : json.path("generation_settings").toString()));
        return md.toString();
    }

    private static String f(com.fasterxml.jackson.databind.JsonNode n, String key) {
        return n.path(key).isNumber() ? String.format("%.3f", n.path(key).asDouble()) : "–";
    }

    private static String f2(com.fasterxml.jackson.databind.JsonNode n, String key) {
        return n.path(key).isNumber() ? String.format("%.2f", n.path(key).asDouble()) : "–";
    }
}
