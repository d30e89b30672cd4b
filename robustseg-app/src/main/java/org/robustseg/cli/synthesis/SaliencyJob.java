package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.Errors;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.LabelledCheckpoints;
import org.robustseg.report.Format;
import org.robustseg.report.ImageGrid;
import org.robustseg.report.SynthesisFiles;

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

/**
 * The work of {@code ./run saliency}, as a value: input-gradient maps of one image or of the
 * first images of a split, for one or more checkpoints side by side, and how much of the gradient
 * energy falls on objects and on their outlines ({@link Saliency}). The command builds one from
 * its options; the demo builds one for its saliency figures.
 *
 * @param checkpoints checkpoint files or run directories; {@code labels} their names (null: run name and epoch)
 * @param image one image (or null: data-set mode); {@code labelMap} its label map (null: no alignment figures)
 * @param data data directory for data-set mode (or null); {@code split} its split, {@code count} its first images used
 * @param cls also map this class (name or id), or null
 * @param score per-pixel score: logit or log-softmax
 * @param percentile heat maps saturate at this percentile of each map
 * @param out output directory (null with an image: the image's folder)
 */
public record SaliencyJob(List<Path> checkpoints, List<String> labels, Path image, Path labelMap, Path data, String split, int count,
                          String cls, String score, double percentile, int batch, int gridRows, Path out) {
    public static final int DEFAULT_COUNT = 32;
    public static final String DEFAULT_SCORE = "logit";
    public static final double DEFAULT_PERCENTILE = 99;
    public static final int DEFAULT_GRID_ROWS = 16;

    /** What was asked, recorded in saliency.json and its provenance. */
    record Settings(String mode, String score, Integer classId, String className, String reduction, String energy,
                    double displayPercentile, int outlineRadius, int background) {}

    /** One checkpoint's maps of one image: display maps in [0,1] and, with a label map, alignments. */
    private record Result(float[] wholeMap, float[] classMap, Saliency.Alignment whole, Saliency.Alignment ofClass,
                          boolean classAbsent) {}

    /** The images to map, checked: a data set's first images, or the one image with its label map if given. */
    private record Inputs(SegDataset dataSet, ClassSet classes, List<SegSample> samples, boolean truth, Path out) {}

    /** What a run measured: saliency.json's content, the console table, and where the JSON went. */
    public record Outcome(ObjectNode json, String table, Path jsonFile) {}

    /** Computes the maps and writes the files; returns what was measured. */
    public Outcome run() {
        checkOptions();
        Saliency.Score scoring;
        try {
            scoring = Saliency.Score.parse(score);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--score: " + e.getMessage());
        }
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path p : checkpoints) {
            ckpts.add(Checkpoint.open(p).requireGradients("saliency"));
        }
        // inputs first, all checked before any model runs, so bad input never leaves half an output
        Inputs in = inputs(ckpts);
        ClassSet classes = in.classes();
        int target = cls == null ? Saliency.WHOLE_MAP : ClassNames.parse(cls, classes, "--class");
        Settings settings = new Settings(data != null ? "data-set" : "image",
                scoring == Saliency.Score.LOGIT ? "logit" : "log-softmax", target == Saliency.WHOLE_MAP ? null : target,
                target == Saliency.WHOLE_MAP ? null : classes.names().get(target), "L2 norm over colour channels",
                "squared L2 norm of the pixel's gradient", percentile, Saliency.OUTLINE_RADIUS, Saliency.BACKGROUND);
        List<String> labelsOut = new ArrayList<>();
        List<List<Result>> results = new ArrayList<>();
        ConsoleProgress progress = ConsoleProgress.stderr();
        for (int c = 0; c < ckpts.size(); c++) {
            Checkpoint ckpt = ckpts.get(c);
            labelsOut.add(LabelledCheckpoints.name(ckpt, labels, c));
            try (SegmentationModel model = InputFiles.model(ckpt, classes.size(), "checkpoint")) {
                in.samples().forEach(s -> checkSize(model, s));
                progress.start("saliency " + labelsOut.get(c), in.samples().size());
                results.add(maps(model, in.samples(), target, scoring, in.truth(), progress));
                progress.finish();
            }
        }
        write(in, target, labelsOut, results);
        ObjectNode json = json(settings, ckpts, labelsOut, results, in, target);
        Path jsonFile = in.out().resolve(data != null ? "saliency.json" : stem() + "_saliency.json");
        Json.write(jsonFile, json);
        return new Outcome(json, table(json, in.truth(), target, classes), jsonFile);
    }

    private void checkOptions() {
        if ((image == null) == (data == null)) {
            throw new IllegalArgumentException("give exactly one of --image (one image) and --data (data-set mode)");
        }
        if (labelMap != null && image == null) {
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
        LabelledCheckpoints.checkLabels(checkpoints.size(), labels);
    }

    private Inputs inputs(List<Checkpoint> ckpts) {
        Inputs in;
        if (data != null) {
            SegDataset ds = DataSets.first(DataSets.open(data, Split.parse(split)), count);
            List<SegSample> samples = new ArrayList<>();
            for (int i = 0; i < ds.size(); i++) {
                samples.add(ds.get(i));
            }
            in = new Inputs(ds, ds.classes(), samples, true, out);
        } else {
            ClassSet classes = ClassNames.of(ckpts.get(0), null);
            SegSample img = InputFiles.rgb(image);
            int[] map = labelMap == null ? img.labels() : InputFiles.labels(labelMap, img.height(), img.width(), classes.size());
            in = new Inputs(null, classes, List.of(new SegSample(img.id(), img.height(), img.width(), img.image(), map)),
                    labelMap != null, out != null ? out : image.toAbsolutePath().getParent());
        }
        for (Checkpoint c : ckpts) {
            if (c.spec().numClasses() != in.classes().size()) {
                throw new IllegalArgumentException("checkpoint " + c.file() + " predicts " + c.spec().numClasses() + " classes but "
                        + (in.dataSet() != null ? "data set " + in.dataSet().name() : "checkpoint " + ckpts.get(0).file()) + " has "
                        + in.classes().size());
            }
        }
        return in;
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
    private void write(Inputs in, int target, List<String> labelsOut, List<List<Result>> results) {
        List<SegSample> samples = in.samples();
        ClassSet classes = in.classes();
        boolean truth = in.truth();
        Path out = in.out();
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
            String file = data != null ? SynthesisFiles.stem(i) + "_saliency.png" : stem() + "_saliency.png";
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
                            Inputs in, int target) {
        List<SegSample> samples = in.samples();
        boolean truth = in.truth();
        SegDataset ds = in.dataSet();
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
            inputs.put("labels", labelMap == null ? null : labelMap.toAbsolutePath().toString());
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
        return Format.fixed(v, 3, Format.DASH);
    }
}
