package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.Errors;
import org.robustseg.report.ImageGrid;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.batch.Batch;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataException;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.metric.Saliency;
import org.robustseg.model.SegmentationModel;
import org.robustseg.model.SegmentationNetwork;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run saliency ...}: input-gradient maps of one image or of the first images of a split,
 * for one or more checkpoints side by side, and how much of the gradient energy falls on objects
 * and on their outlines ({@link Saliency}). A robust net's maps should follow object shapes; a
 * standard net's look like noise — the concentration figures say how far that holds.
 */
@Command(name = "saliency", mixinStandardHelpOptions = true,
        description = "Input-gradient saliency maps (heat-map PNGs) and their concentration on objects and outlines.")
public final class SaliencyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory; repeat to compare side by side.")
    List<Path> checkpoints;

    @Option(names = "--label", description = "Name of each checkpoint, in --checkpoint order (default: run name and epoch).")
    List<String> names;

    @Option(names = "--image", description = "One image (PNG/JPEG, RGB).")
    Path image;

    @Option(names = "--labels", description = "With --image: its label map (palette or gray PNG), for the alignment figures.")
    Path labels;

    @Option(names = "--data", description = "Data-set mode: data directory (true label maps give the alignment figures).")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Data-set mode: split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--count", defaultValue = "32", description = "Data-set mode: number of images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--class", description = "Also map the score of this class (name or id) over the pixels predicted as it.")
    String cls;

    @Option(names = "--score", defaultValue = "logit", description = "Per-pixel score: logit or log-softmax (default ${DEFAULT-VALUE}).")
    String score;

    @Option(names = "--percentile", defaultValue = "99", description = "Heat maps saturate at this percentile of each map (default ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--batch", defaultValue = "16", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grid-rows", defaultValue = "16", description = "Data-set mode: rows of grid.png (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--out", description = "Output directory (required with --data; with --image default: the image's folder).")
    Path out;

    /** What was asked, recorded in saliency.json and its provenance. */
    record Settings(String mode, String score, Integer classId, String className, String reduction, String energy,
                    double displayPercentile, int outlineRadius, int background) {}

    /** One checkpoint's maps of one image: display maps in [0,1] and, with a label map, alignments. */
    private record Result(float[] wholeMap, float[] classMap, Saliency.Alignment whole, Saliency.Alignment ofClass,
                          boolean classAbsent) {}

    @Override
    public Integer call() {
        if ((image == null) == (data == null)) {
            throw new IllegalArgumentException("give exactly one of --image (one image) and --data (data-set mode)");
        }
        if (labels != null && image == null) {
            throw new IllegalArgumentException("--labels goes with --image (data-set mode uses the data set's label maps)");
        }
        if (data != null && out == null) {
            throw new IllegalArgumentException("--out is required with --data");
        }
        if (count < 1 || batch < 1) {
            throw new IllegalArgumentException("--count and --batch must be at least 1");
        }
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("--percentile must be in (0, 100], got " + percentile);
        }
        SynthSupport.checkLabels(checkpoints.size(), names);
        Saliency.Score scoring;
        try {
            scoring = Saliency.Score.parse(score);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--score: " + e.getMessage());
        }
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path p : checkpoints) {
            ckpts.add(Checkpoint.open(p));
        }
        // inputs first, all checked before any model runs, so bad input never leaves half an output
        SegDataset ds = null;
        ClassSet classes;
        List<SegSample> samples;
        boolean truth;
        if (data != null) {
            ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
            classes = ds.classes();
            samples = new ArrayList<>();
            for (int i = 0; i < ds.size(); i++) {
                samples.add(ds.get(i));
            }
            truth = true;
        } else {
            classes = SynthSupport.classes(ckpts.get(0), null);
            SegSample img = SynthSupport.readRgb(image);
            int[] map = labels == null ? img.labels() : SynthSupport.readLabels(labels, img.height(), img.width(), classes.size());
            samples = List.of(new SegSample(img.id(), img.height(), img.width(), img.image(), map));
            truth = labels != null;
            out = out != null ? out : image.toAbsolutePath().getParent();
        }
        for (Checkpoint c : ckpts) {
            if (c.spec().numClasses() != classes.size()) {
                throw new IllegalArgumentException("checkpoint " + c.file() + " predicts " + c.spec().numClasses() + " classes but "
                        + (ds != null ? "data set " + ds.name() : "checkpoint " + ckpts.get(0).file()) + " has " + classes.size());
            }
        }
        int target = cls == null ? Saliency.WHOLE_MAP : SynthSupport.parseClass(cls, classes, "--class");
        Settings settings = new Settings(data != null ? "data-set" : "image",
                scoring == Saliency.Score.LOGIT ? "logit" : "log-softmax", target == Saliency.WHOLE_MAP ? null : target,
                target == Saliency.WHOLE_MAP ? null : classes.names().get(target), "L2 norm over colour channels",
                "squared L2 norm of the pixel's gradient", percentile, Saliency.OUTLINE_RADIUS, Saliency.BACKGROUND);

        List<String> labelsOut = new ArrayList<>();
        List<List<Result>> results = new ArrayList<>();
        ConsoleProgress progress = ConsoleProgress.stderr();
        for (int c = 0; c < ckpts.size(); c++) {
            Checkpoint ckpt = ckpts.get(c);
            labelsOut.add(SynthSupport.name(ckpt, names, c));
            try (SegmentationModel model = SynthSupport.load(ckpt, classes.size(), "checkpoint")) {
                samples.forEach(s -> checkSize(model, s));
                progress.start("saliency " + labelsOut.get(c), samples.size());
                results.add(maps(model, samples, target, scoring, truth, progress));
                progress.finish();
            }
        }
        write(samples, classes, truth, target, labelsOut, results);
        ObjectNode json = json(settings, ckpts, labelsOut, results, samples, truth, target, ds);
        Path jsonFile = out.resolve(data != null ? "saliency.json" : stem() + "_saliency.json");
        Json.write(jsonFile, json);
        System.out.print(table(json, truth, target, classes));
        System.out.println("wrote " + jsonFile + (data != null ? ", grid.png and NNNN_saliency.png" : " and " + stem() + "_saliency.png"));
        return 0;
    }

    /** One checkpoint's maps of all samples, in batches of consecutive images of one size (no padding enters a map). */
    private List<Result> maps(SegmentationModel model, List<SegSample> samples, int target, Saliency.Score scoring, boolean truth,
                              ConsoleProgress progress) {
        List<Result> results = new ArrayList<>();
        for (int start = 0; start < samples.size(); ) {
            SegSample first = samples.get(start);
            int end = start + 1;
            while (end < samples.size() && end - start < batch && samples.get(end).height() == first.height()
                    && samples.get(end).width() == first.width()) {
                end++;
            }
            int h = first.height();
            int w = first.width();
            try (NDManager m = model.manager().newSubManager()) {
                var x = Batch.of(samples.subList(start, end)).images(m);
                Saliency.Maps whole = Saliency.compute(model, x, Saliency.WHOLE_MAP, scoring);
                Saliency.Maps ofClass = target == Saliency.WHOLE_MAP ? null : Saliency.compute(model, x, target, scoring);
                for (int i = 0; i < end - start; i++) {
                    int[] lab = samples.get(start + i).labels();
                    float[] wm = whole.map(i);
                    float[] cm = ofClass == null ? null : ofClass.map(i);
                    results.add(new Result(Saliency.forDisplay(wm, percentile), cm == null ? null : Saliency.forDisplay(cm, percentile),
                            truth ? Saliency.alignment(wm, lab, h, w, Saliency.WHOLE_MAP) : null,
                            truth && cm != null ? Saliency.alignment(cm, lab, h, w, target) : null,
                            ofClass != null && ofClass.classAbsent()[i]));
                }
            } catch (EngineException e) {
                throw new IllegalArgumentException(first.id() + ": model " + model.name() + " cannot take this " + w + "x" + h
                        + " image: " + Errors.oneLine(e), e);
            }
            progress.advance(end - start, null);
            start = end;
        }
        return results;
    }

    /** Images smaller than the network's output stride leave it a single feature cell: refused, naming the image. */
    private static void checkSize(SegmentationModel model, SegSample s) {
        int least = model.block() instanceof SegmentationNetwork net ? net.backbone().outputStride() : 1;
        if (s.height() < least || s.width() < least) {
            throw new DataException(s.id() + ": image is " + s.width() + "x" + s.height() + " pixels but " + model.name()
                    + " needs at least " + least + "x" + least + " (its output stride)");
        }
    }

    private String stem() {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Per image one strip (image | labels | each checkpoint's maps); in data-set mode also grid.png of the first rows. */
    private void write(List<SegSample> samples, ClassSet classes, boolean truth, int target, List<String> labelsOut,
                       List<List<Result>> results) {
        List<String> titles = new ArrayList<>(List.of("image"));
        if (truth) {
            titles.add("labels");
        }
        for (String n : labelsOut) {
            titles.add(n);
            if (target != Saliency.WHOLE_MAP) {
                titles.add(n + ": " + classes.names().get(target));
            }
        }
        int side = Math.max(samples.get(0).height(), samples.get(0).width());
        ImageGrid grid = new ImageGrid(titles, Math.max(1, 128 / side));
        for (int i = 0; i < samples.size(); i++) {
            SegSample s = samples.get(i);
            List<BufferedImage> tiles = new ArrayList<>(List.of(ImageGrid.image(s.image(), s.height(), s.width())));
            if (truth) {
                tiles.add(ImageGrid.labels(s.labels(), s.height(), s.width(), classes));
            }
            for (List<Result> perModel : results) {
                Result r = perModel.get(i);
                tiles.add(ImageGrid.heat(r.wholeMap(), s.height(), s.width()));
                if (r.classMap() != null) {
                    tiles.add(ImageGrid.heat(r.classMap(), s.height(), s.width()));
                }
            }
            String file = data != null ? SynthSupport.stem(i) + "_saliency.png" : stem() + "_saliency.png";
            new ImageGrid(titles, Math.max(1, 128 / side)).addRow("", tiles).write(out.resolve(file));
            if (data != null && grid.rows() < gridRows) {
                grid.addRow(s.id(), tiles);
            }
        }
        if (data != null) {
            grid.write(out.resolve("grid.png"));
        }
    }

    private ObjectNode json(Settings settings, List<Checkpoint> ckpts, List<String> labelsOut, List<List<Result>> results,
                            List<SegSample> samples, boolean truth, int target, SegDataset ds) {
        ObjectNode json = Json.object();
        json.set("settings", Json.toTree(settings));
        ArrayNode models = json.putArray("models");
        for (int c = 0; c < ckpts.size(); c++) {
            List<Result> rs = results.get(c);
            ObjectNode row = models.addObject();
            row.put("name", labelsOut.get(c));
            row.set("checkpoint", ckpts.get(c).identity());
            if (truth) {
                row.set("predicted_map", finite(Json.toTree(Saliency.summarise(rs.stream().map(Result::whole).toList()))));
                if (target != Saliency.WHOLE_MAP) {
                    row.set("class_map", finite(Json.toTree(Saliency.summarise(rs.stream().map(Result::ofClass).toList()))));
                }
            }
            if (target != Saliency.WHOLE_MAP) {
                row.put("images_without_predicted_class", rs.stream().filter(Result::classAbsent).count());
            }
        }
        ArrayNode images = json.putArray("images");
        for (int i = 0; i < samples.size(); i++) {
            ObjectNode e = images.addObject();
            e.put("index", i);
            e.put("id", samples.get(i).id());
            ArrayNode perModel = e.putArray("models");
            for (int c = 0; c < ckpts.size(); c++) {
                Result r = results.get(c).get(i);
                ObjectNode m = perModel.addObject();
                m.put("name", labelsOut.get(c));
                m.set("predicted_map", r.whole() == null ? NullNode.getInstance() : finite(Json.toTree(r.whole())));
                if (target != Saliency.WHOLE_MAP) {
                    m.set("class_map", r.ofClass() == null ? NullNode.getInstance() : finite(Json.toTree(r.ofClass())));
                    m.put("class_absent_from_prediction", r.classAbsent());
                }
            }
        }
        Provenance p = Provenance.of("saliency").config(settings);
        ArrayNode ids = Json.MAPPER.createArrayNode();
        ckpts.forEach(c -> ids.add(c.identity()));
        p.put("checkpoints", ids);
        if (ds != null) {
            p.dataset("saliency", ds.name(), ds.size(), ds.contentHash());
        } else {
            ObjectNode inputs = Json.object();
            inputs.put("image", image.toAbsolutePath().toString());
            inputs.put("labels", labels == null ? null : labels.toAbsolutePath().toString());
            p.put("inputs", inputs);
        }
        json.set("provenance", p.toJson());
        return json;
    }

    /** NaN and infinite figures become null, as in the other commands' JSON. */
    private static JsonNode finite(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                JsonNode v = o.get(k);
                if (v.isNumber() && !Double.isFinite(v.asDouble())) {
                    o.putNull(k);
                }
            }
        }
        return node;
    }

    private static String table(ObjectNode json, boolean truth, int target, ClassSet classes) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %-18s %22s %22s %14s %7s%n", "model", "map", "objects conc. mean/med",
                "outline conc. mean/med", "object energy", "images"));
        for (JsonNode row : json.path("models")) {
            List<String> kinds = new ArrayList<>(List.of("predicted_map"));
            if (target != Saliency.WHOLE_MAP) {
                kinds.add("class_map");
            }
            for (String kind : kinds) {
                JsonNode s = row.path(kind);
                String map = kind.equals("predicted_map") ? "predicted map" : "class " + classes.names().get(target);
                sb.append(String.format("%-24s %-18s %22s %22s %14s %7s%n", row.path("name").asText(), map,
                        pair(s, "objectConcentrationMean", "objectConcentrationMedian"),
                        pair(s, "outlineConcentrationMean", "outlineConcentrationMedian"),
                        number(s.path("objectEnergyShareMean")), s.path("images").isNumber() ? s.path("images").asText() : "–"));
            }
        }
        if (truth) {
            JsonNode first = json.path("models").get(0).path("predicted_map");
            sb.append(String.format("concentration = share of gradient energy / share of pixels (1 = spread evenly); objects cover"
                    + " %s of the pixels on average; outline = within %d px of a label change%n",
                    number(first.path("objectAreaShareMean")), Saliency.OUTLINE_RADIUS));
        } else {
            sb.append("give --labels LABELS.png for the alignment figures\n");
        }
        return sb.toString();
    }

    private static String pair(JsonNode s, String mean, String median) {
        return number(s.path(mean)) + " / " + number(s.path(median));
    }

    private static String number(JsonNode v) {
        return v.isNumber() ? String.format("%.3f", v.asDouble()) : "–";
    }
}
