package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.cli.Errors;
import org.robustseg.cli.TaskJob;
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

    /** One checkpoint's figures of one image: with a label map, its alignments (display maps stay in the task that drew them). */
    public record Result(Saliency.Alignment whole, Saliency.Alignment ofClass, boolean classAbsent) implements java.io.Serializable {}

    /**
     * One image as it leaves its task (its strip already written): each checkpoint's figures, and
     * for the first --grid-rows images of a data set its grid row as PNG tiles (lossless, so a
     * driver elsewhere draws the same grid.png).
     */
    public record ImageOutcome(int index, String id, List<Result> perModel, List<byte[]> tiles) implements java.io.Serializable {}

    /** The images to map, checked: a data set's first images (read task by task), or the one image with its label map if given. */
    private record Inputs(SegDataset dataSet, ClassSet classes, SegSample one, boolean truth, Path out) {
        int size() {
            return dataSet == null ? 1 : dataSet.size();
        }

        SegSample get(int i) {
            return dataSet == null ? one : dataSet.get(i);
        }
    }

    /** What the job maps, checked: checkpoints, inputs, target class, scoring, settings, display names. */
    private record Plan(List<Checkpoint> ckpts, Inputs in, int target, Saliency.Score scoring, Settings settings,
                        List<String> names, int tasks) {}

    /** What a run measured: saliency.json's content, the console table, and where the JSON went. */
    public record Outcome(ObjectNode json, String table, Path jsonFile) {}

    /** Computes the maps and writes the files; returns what was measured. */
    public Outcome run() {
        try (Tasks job = job()) {
            int tasks = job.tasks();
            List<ImageOutcome> outcomes = new ArrayList<>();
            ConsoleProgress progress = ConsoleProgress.stderr();
            progress.start("saliency", job.plan.in().size());
            for (int t = 0; t < tasks; t++) {
                List<ImageOutcome> part = job.run(t, null);
                outcomes.addAll(part);
                progress.advance(part.size(), null);
            }
            progress.finish();
            return job.write(outcomes);
        }
    }

    /**
     * The job as a {@link TaskJob}: task t maps images t·batch .. t·batch+batch-1 with every
     * checkpoint (in runs of one image size; no padding enters a map) and writes their strips; the
     * models are loaded on the first task and kept until the job is closed.
     */
    public Tasks job() {
        return new Tasks();
    }

    /** See {@link #job()}. */
    public final class Tasks implements TaskJob<ImageOutcome> {
        private Plan plan;
        private final List<SegmentationModel> models = new ArrayList<>();

        private Tasks() {}

        @Override
        public int tasks() {
            if (plan == null) {
                plan = plan();
            }
            return plan.tasks();
        }

        @Override
        public List<ImageOutcome> run(int task, ai.djl.Device device) {
            tasks();
            if (models.isEmpty()) {
                for (Checkpoint c : plan.ckpts()) {
                    models.add(InputFiles.model(c, plan.in().classes().size(), "checkpoint", device));
                }
            }
            return SaliencyJob.this.task(plan, models, task);
        }

        @Override
        public void finish(List<ImageOutcome> results) {
            write(results);
        }

        /** saliency.json (and grid.png in data-set mode) from every image's outcome, in any order; what was measured. */
        Outcome write(List<ImageOutcome> results) {
            tasks();
            List<ImageOutcome> sorted = results.stream().sorted(java.util.Comparator.comparingInt(ImageOutcome::index)).toList();
            if (data != null) {
                writeGrid(plan, sorted);
            }
            ObjectNode json = json(plan.settings(), plan.ckpts(), plan.names(), sorted, plan.in(), plan.target());
            Path jsonFile = plan.in().out().resolve(data != null ? "saliency.json" : stem() + "_saliency.json");
            Json.write(jsonFile, json);
            return new Outcome(json, table(json, plan.in().truth(), plan.target(), plan.in().classes()), jsonFile);
        }

        @Override
        public Path out() {
            tasks();
            return plan.in().out();
        }

        @Override
        public void close() {
            models.forEach(SegmentationModel::close);
            models.clear();
        }
    }

    /** Checks everything before any model runs, so bad input never leaves half an output. */
    private Plan plan() {
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
        Inputs in = inputs(ckpts);
        ClassSet classes = in.classes();
        int target = cls == null ? Saliency.WHOLE_MAP : ClassNames.parse(cls, classes, "--class");
        Settings settings = new Settings(data != null ? "data-set" : "image",
                scoring == Saliency.Score.LOGIT ? "logit" : "log-softmax", target == Saliency.WHOLE_MAP ? null : target,
                target == Saliency.WHOLE_MAP ? null : classes.names().get(target), "L2 norm over colour channels",
                "squared L2 norm of the pixel's gradient", percentile, Saliency.OUTLINE_RADIUS, Saliency.BACKGROUND);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < ckpts.size(); c++) {
            names.add(LabelledCheckpoints.name(ckpts.get(c), labels, c));
        }
        return new Plan(ckpts, in, target, scoring, settings, names, (in.size() + batch - 1) / batch);
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
            in = new Inputs(ds, ds.classes(), null, true, out);
        } else {
            ClassSet classes = ClassNames.of(ckpts.get(0), null);
            SegSample img = InputFiles.rgb(image);
            int[] map = labelMap == null ? img.labels() : InputFiles.labels(labelMap, img.height(), img.width(), classes.size());
            in = new Inputs(null, classes, new SegSample(img.id(), img.height(), img.width(), img.image(), map),
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

    /**
     * Task {@code t}: images t·batch .. t·batch+batch-1, mapped by every model in runs of consecutive
     * images of one size (no padding enters a map); writes each image's strip, returns its outcome.
     */
    private List<ImageOutcome> task(Plan plan, List<SegmentationModel> models, int t) {
        Inputs in = plan.in();
        int first = t * batch;
        int last = Math.min(in.size(), first + batch);
        if (t < 0 || first >= last) {
            throw new IllegalArgumentException("task " + t + " is outside the plan's " + plan.tasks() + " tasks");
        }
        List<SegSample> samples = new ArrayList<>();
        for (int i = first; i < last; i++) {
            samples.add(in.get(i));
        }
        for (SegmentationModel model : models) {
            samples.forEach(s -> checkSize(model, s));
        }
        // per model, per image of the task: display maps and figures
        List<List<float[][]>> display = new ArrayList<>();
        List<List<Result>> figures = new ArrayList<>();
        for (SegmentationModel model : models) {
            List<float[][]> d = new ArrayList<>();
            List<Result> f = new ArrayList<>();
            maps(model, samples, plan.target(), plan.scoring(), in.truth(), d, f);
            display.add(d);
            figures.add(f);
        }
        List<ImageOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            int index = first + i;
            List<BufferedImage> tiles = strip(plan, samples.get(i), display, i);
            String file = data != null ? SynthesisFiles.stem(index) + "_saliency.png" : stem() + "_saliency.png";
            SegSample s = samples.get(i);
            int side = Math.max(s.height(), s.width());
            new ImageGrid(titles(plan), Math.max(1, 128 / side)).addRow("", tiles).write(in.out().resolve(file));
            List<byte[]> png = new ArrayList<>();
            if (data != null && index < gridRows) {
                tiles.forEach(tile -> png.add(org.robustseg.data.Images.encodePng(tile)));
            }
            List<Result> perModel = new ArrayList<>();
            for (List<Result> f : figures) {
                perModel.add(f.get(i));
            }
            outcomes.add(new ImageOutcome(index, s.id(), perModel, png));
        }
        return outcomes;
    }

    /** One model's maps of {@code samples}: display maps [whole, class or null] into {@code display}, figures into {@code figures}. */
    private void maps(SegmentationModel model, List<SegSample> samples, int target, Saliency.Score scoring, boolean truth,
                      List<float[][]> display, List<Result> figures) {
        for (int start = 0; start < samples.size(); ) {
            SegSample first = samples.get(start);
            int end = start + 1;
            while (end < samples.size() && samples.get(end).height() == first.height() && samples.get(end).width() == first.width()) {
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
                    display.add(new float[][] {Saliency.forDisplay(wm, percentile), cm == null ? null : Saliency.forDisplay(cm, percentile)});
                    figures.add(new Result(truth ? Saliency.alignment(wm, lab, h, w, Saliency.WHOLE_MAP) : null,
                            truth && cm != null ? Saliency.alignment(cm, lab, h, w, target) : null,
                            ofClass != null && ofClass.classAbsent()[i]));
                }
            } catch (EngineException e) {
                throw new IllegalArgumentException(first.id() + ": model " + model.name() + " cannot take this " + w + "x" + h
                        + " image: " + Errors.oneLine(e), e);
            }
            start = end;
        }
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

    /** The strip's column titles: image, labels (with a label map), then each checkpoint's maps. */
    private List<String> titles(Plan plan) {
        List<String> titles = new ArrayList<>(List.of("image"));
        if (plan.in().truth()) {
            titles.add("labels");
        }
        for (String n : plan.names()) {
            titles.add(n);
            if (plan.target() != Saliency.WHOLE_MAP) {
                titles.add(n + ": " + plan.in().classes().names().get(plan.target()));
            }
        }
        return titles;
    }

    /** Image {@code i}'s strip: image | labels | each checkpoint's maps. */
    private static List<BufferedImage> strip(Plan plan, SegSample s, List<List<float[][]>> display, int i) {
        List<BufferedImage> tiles = new ArrayList<>(List.of(ImageGrid.image(s.image(), s.height(), s.width())));
        if (plan.in().truth()) {
            tiles.add(ImageGrid.labels(s.labels(), s.height(), s.width(), plan.in().classes()));
        }
        for (List<float[][]> perModel : display) {
            float[][] maps = perModel.get(i);
            tiles.add(ImageGrid.heat(maps[0], s.height(), s.width()));
            if (maps[1] != null) {
                tiles.add(ImageGrid.heat(maps[1], s.height(), s.width()));
            }
        }
        return tiles;
    }

    /** grid.png of data-set mode: the first --grid-rows strips. */
    private void writeGrid(Plan plan, List<ImageOutcome> sorted) {
        SegSample first = plan.in().get(0);
        int side = Math.max(first.height(), first.width());
        ImageGrid grid = new ImageGrid(titles(plan), Math.max(1, 128 / side));
        for (ImageOutcome o : sorted) {
            if (!o.tiles().isEmpty() && grid.rows() < gridRows) {
                List<BufferedImage> tiles = new ArrayList<>();
                for (byte[] png : o.tiles()) {
                    tiles.add(org.robustseg.data.Images.decode(png, o.id()));
                }
                grid.addRow(o.id(), tiles);
            }
        }
        grid.write(plan.in().out().resolve("grid.png"));
    }

    private ObjectNode json(Settings settings, List<Checkpoint> ckpts, List<String> labelsOut, List<ImageOutcome> outcomes,
                            Inputs in, int target) {
        boolean truth = in.truth();
        SegDataset ds = in.dataSet();
        ObjectNode json = Json.object();
        json.set("settings", Json.toTree(settings));
        ArrayNode models = json.putArray("models");
        for (int c = 0; c < ckpts.size(); c++) {
            int k = c;
            List<Result> rs = outcomes.stream().map(o -> o.perModel().get(k)).toList();
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
        for (ImageOutcome o : outcomes) {
            ObjectNode e = images.addObject();
            e.put("index", o.index());
            e.put("id", o.id());
            ArrayNode perModel = e.putArray("models");
            for (int c = 0; c < ckpts.size(); c++) {
                Result r = o.perModel().get(c);
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
