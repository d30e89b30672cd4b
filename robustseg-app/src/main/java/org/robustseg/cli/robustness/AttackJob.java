package org.robustseg.cli.robustness;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.report.Charts;
import org.robustseg.report.ImageGrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.Eps;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.attack.SquareAttack;
import org.robustseg.attack.Targets;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.metric.GradientMasking;
import org.robustseg.metric.ImageFigures;
import org.robustseg.metric.Robustness;
import org.robustseg.metric.RobustnessComparison;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;

/**
 * The work of {@code ./run attack}, as a value: robustness curves of checkpoints under an attack
 * at a series of budgets, written to {@code out} (robustness.json, robustness.png, examples.png).
 * The command builds one from its options; the demo builds one for its example pictures.
 *
 * @param checkpoints checkpoint files or run directories, one curve each
 * @param data data directory; {@code split} its split
 * @param attack preset name (fgsm, bim, pgd, segpgd, sea, targeted); {@code norm} linf or l2
 * @param eps budgets, comma-separated, fractions allowed
 * @param steps iterations (null: the preset's); {@code stepSize}, {@code restarts}, {@code loss} likewise
 * @param randomStart whether a gradient attack starts from a random point in the ball (null: the preset's,
 *        e.g. yes for pgd, no for bim and apgd); false makes runs comparable with other code step for step
 * @param targetClass targeted attack: every pixel to this class (or null); {@code targetMap} a:b relabelling (or null)
 * @param limit only the first N images (null: all)
 * @param examples example rows per checkpoint at the largest budget (0: none)
 * @param queries forward passes of the square attack, also of the masking check's (null: 1000)
 * @param maskingCheck also run the gradient-masking checks on the first batch at the largest budget
 */
public record AttackJob(List<Path> checkpoints, Path data, String split, String attack, String norm, String eps, Integer steps,
                        Float stepSize, Integer restarts, Boolean randomStart, String loss, long seed, Integer targetClass, String targetMap,
                        Integer limit, int batch, int examples, Path out, Integer queries, boolean maskingCheck) {
    /** Defaults of the command's options. */
    public static final String DEFAULT_ATTACK = "pgd";
    public static final String DEFAULT_NORM = "linf";
    public static final String DEFAULT_EPS = "0,2/255,4/255,8/255";
    public static final int DEFAULT_EXAMPLES = 4;
    /** Worst images listed per budget in robustness.json and at the largest budget on the console. */
    public static final int WORST_IMAGES = 5;

    /**
     * What a run measured: the robustness.json entries and the console table of mIoU per budget;
     * {@code maxEps}, the largest budget (examples are drawn there when it is above 0).
     */
    public record Result(ArrayNode entries, String table, float maxEps) {}

    /**
     * What the job evaluates, checked: the budgets, the attack with the command-line overrides,
     * the data set (its first {@code limit} images), the target map of a targeted attack (or
     * null), the checkpoints (opened, not loaded) and the number of batches of {@code batch} images
     * it is cut into. Batch k holds images k·batch .. k·batch+batch-1, in every process that runs
     * this job.
     */
    public record Plan(Norm norm, List<Float> budgets, BudgetedAttack attack, SegDataset data, UnaryOperator<NDArray> target,
                       float maxEps, List<Checkpoint> checkpoints, int batches) {}

    /** Checks the options, opens the data set (decoding no image) and the checkpoints (loading no model). */
    public Plan plan() {
        Norm n = Norm.parse(norm);
        List<Float> budgets = Eps.parse(eps, n);
        BudgetedAttack base = configure(Attacks.parse(attack, n));
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        SegDataset ds = DataSets.open(data, Split.parse(split));
        if (limit != null) {
            ds = DataSets.first(ds, limit);
        }
        UnaryOperator<NDArray> target = target(ds.classes().size());
        if (attack.equalsIgnoreCase("targeted") && target == null) {
            throw new IllegalArgumentException("--attack targeted needs --target-class K or --target-map a:b");
        }
        float maxEps = budgets.stream().max(Float::compare).orElse(0f);
        if (maskingCheck && (target != null || maxEps <= 0)) {
            throw new IllegalArgumentException("--masking-check needs an untargeted attack and a budget above 0");
        }
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path path : checkpoints) { // all checked before any work: a refused model fails the job at once
            Checkpoint ckpt = Checkpoint.open(path);
            if (!(base instanceof SquareAttack)) {
                ckpt.requireGradients("--attack " + attack);
            }
            ckpts.add(ckpt);
        }
        return new Plan(n, budgets, base, ds, target, maxEps, List.copyOf(ckpts), (ds.size() + batch - 1) / batch);
    }

    /**
     * Runs the attacks and writes the files; returns what was measured. The batches are the tasks a
     * cluster runs ({@link #batch}), one after the other, and the files are written by the same
     * merge ({@link #finish}), so this process and a cluster give the same figures.
     */
    public Result run() {
        Plan plan = plan();
        SegDataset ds = plan.data();
        ImageGrid grid = new ImageGrid(List.of("clean", "prediction", "adversarial", "perturbation (amplified)",
                "adv. prediction"), 2);
        List<List<Robustness.ImagePoint>> points = new ArrayList<>();
        List<ArrayNode> flags = new ArrayList<>();
        for (int c = 0; c < plan.checkpoints().size(); c++) {
            Checkpoint ckpt = plan.checkpoints().get(c);
            String fingerprint = fingerprint(plan, ckpt);
            List<Robustness.ImagePoint> mine = new ArrayList<>();
            try (SegmentationModel model = loadModel(ckpt, plan, null)) {
                ConsoleProgress progress = ConsoleProgress.stderr();
                progress.start("attack " + ckpt.label(), ds.size());
                for (int b = 0; b < plan.batches(); b++) {
                    mine.addAll(batch(plan, c, fingerprint, model, b));
                    progress.advance(Math.min(batch, ds.size() - b * batch), null);
                }
                progress.finish();
                flags.add(maskingCheck ? maskingFlags(ckpt.label(), model, ds, plan.attack().eps(plan.maxEps())) : null);
                if (examples > 0 && plan.maxEps() > 0) {
                    addExamples(grid, ckpt.label(), model, ds, plan.attack().eps(plan.maxEps()), plan.target(), plan.norm(), plan.maxEps());
                }
            }
            points.add(mine);
        }
        return write(plan, points, flags, examples > 0 && plan.maxEps() > 0 ? grid : null);
    }

    /**
     * The checkpoint's model on {@code device} (null: the engine's default), its class count
     * checked against the data; the caller closes it. A process that evaluates batches of this job
     * (a cluster node) loads it once.
     */
    public SegmentationModel loadModel(Checkpoint ckpt, Plan plan, ai.djl.Device device) {
        SegmentationModel model = ckpt.loadModel(device);
        int classes = plan.data().classes().size();
        if (model.numClasses() != classes) {
            model.close();
            throw new IllegalArgumentException("checkpoint " + ckpt.file() + " predicts " + model.numClasses()
                    + " classes but " + plan.data().name() + " has " + classes);
        }
        return model;
    }

    /**
     * What identifies this job's figures of one checkpoint: SHA-256 over the attack's settings, the
     * budgets, the target, the batch size (which decides padding and kernel shapes), the
     * checkpoint's identity and the data's. A per-image file written under another fingerprint is
     * not reused.
     */
    public String fingerprint(Plan plan, Checkpoint ckpt) {
        ObjectNode id = Json.object();
        id.put("records", ImageRecords.FORMAT);
        id.set("attack", Json.toTree(plan.attack().settings()));
        id.set("budgets", Json.toTree(plan.budgets()));
        id.put("target_class", targetClass);
        id.put("target_map", targetMap);
        id.put("batch", batch);
        id.set("checkpoint", ckpt.identity());
        id.put("data", plan.data().name() + " " + plan.data().contentHash());
        return ImageRecords.sha256(id.toString());
    }

    /**
     * Batch {@code b} of the plan for checkpoint number {@code index}: read back from its images'
     * files when every one of them was written by this same job ({@code fingerprint}), otherwise
     * evaluated ({@link Robustness#evaluateBatch}) and written, one file per image, each atomically.
     * So a rerun skips finished batches, and a batch cut short (a killed process, a lost cluster
     * node) is evaluated again whole, in the same batch as the first time: the same padding, the
     * same kernel shapes, the same figures. A batch read back reports no compute time.
     */
    public List<Robustness.ImagePoint> batch(Plan plan, int index, String fingerprint, SegmentationModel model, int b) {
        SegDataset ds = plan.data();
        Checkpoint ckpt = plan.checkpoints().get(index);
        int first = b * batch;
        int count = Math.min(batch, ds.size() - first);
        if (b < 0 || count < 1) {
            throw new IllegalArgumentException("batch " + b + " is outside the plan's " + plan.batches() + " batches");
        }
        List<Robustness.ImagePoint> done = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            List<Robustness.ImagePoint> read = ImageRecords.read(file(index, ckpt, ds.id(i)), fingerprint, plan.budgets(),
                    resultNames(plan).stream().map(List::size).toList(), ds.classes().size());
            if (read == null) {
                done = null;
                break;
            }
            done.addAll(read);
        }
        if (done != null) {
            return done;
        }
        List<SegSample> samples = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            samples.add(ds.get(i));
        }
        List<Robustness.ImagePoint> points = Robustness.evaluateBatch(model, ds.classes(), Batch.of(samples), first, plan.attack(),
                plan.target(), plan.budgets());
        for (int i = first; i < first + count; i++) {
            int at = i;
            ImageRecords.write(file(index, ckpt, ds.id(i)), fingerprint, ckpt, resultNames(plan),
                    points.stream().filter(p -> p.index() == at).toList());
        }
        return points;
    }

    /**
     * Per budget, the names of an image's results: "clean" at budget 0, an ensemble's members where
     * it is scored member by member, else the attack's name.
     */
    private static List<List<String>> resultNames(Plan plan) {
        return plan.budgets().stream().map(e -> e == 0 ? List.of("clean")
                : Robustness.scoredByMember(plan.attack(), plan.target(), e)
                        ? ((Ensemble) plan.attack()).members().stream().map(BudgetedAttack::name).toList()
                        : List.of(plan.attack().name())).toList();
    }

    /** The per-image file of image {@code id} under checkpoint number {@code index}: per-image/<index>-<label>/<id>.json. */
    public Path file(int index, Checkpoint ckpt, String id) {
        return out.resolve("per-image").resolve(index + "-" + ckpt.label().replaceAll("[^A-Za-z0-9._-]", "_")).resolve(id + ".json");
    }

    /**
     * robustness.json and robustness.png from every checkpoint's per-image points (per checkpoint
     * of the plan, in any order): what a process that merges batches evaluated elsewhere (a
     * cluster's driver) writes, with {@link #run}'s code.
     */
    public Result finish(Plan plan, List<List<Robustness.ImagePoint>> points) {
        List<ArrayNode> noFlags = new ArrayList<>();
        plan.checkpoints().forEach(c -> noFlags.add(null));
        return write(plan, points, noFlags, null);
    }

    private Result write(Plan plan, List<List<Robustness.ImagePoint>> points, List<ArrayNode> flags, ImageGrid grid) {
        Norm n = plan.norm();
        Curves curves = new Curves(n, plan.budgets());
        for (int c = 0; c < plan.checkpoints().size(); c++) {
            curves.add(plan.checkpoints().get(c), plan.data(), plan.attack(),
                    Robustness.curve(plan.attack(), plan.target(), plan.budgets(), plan.data().classes(), points.get(c)), flags.get(c));
        }
        curves.table.append(curves.figures);
        Json.write(out.resolve("robustness.json"), curves.entries);
        List<Double> xs = plan.budgets().stream().map(e -> n == Norm.LINF ? e * 255.0 : e).toList();
        String name = String.valueOf(plan.attack().settings().get("name"));
        Charts.lines(out.resolve("robustness.png"), "mIoU under " + name + " (" + norm + ")",
                n == Norm.LINF ? "eps (x/255)" : "eps (L2)", "mIoU", xs, curves.miou);
        if (grid != null) {
            grid.write(out.resolve("examples.png"));
        }
        return new Result(curves.entries, "mIoU under " + name + " " + norm + "\n" + curves.table, plan.maxEps());
    }

    /** The curves as they are measured: robustness.json entries, the chart's series and the console table. */
    private static final class Curves {
        final ArrayNode entries = Json.MAPPER.createArrayNode();
        final Map<String, List<Double>> miou = new LinkedHashMap<>();
        final StringBuilder table = new StringBuilder(String.format("%-40s", "checkpoint \\ eps"));
        /** The per-image and per-object figures under the table: per-image mIoU per budget, objects by size and worst images at the largest. */
        final StringBuilder figures = new StringBuilder();
        final Norm norm;

        Curves(Norm n, List<Float> budgets) {
            this.norm = n;
            budgets.forEach(e -> table.append(String.format(" %9s", label(e, n))));
            table.append('\n');
        }

        /** {@code flags}: the gradient-masking flags recorded in every entry of this checkpoint (null: not checked). */
        void add(Checkpoint ckpt, SegDataset ds, BudgetedAttack base, List<Robustness.Point> curve, ArrayNode flags) {
            String key = ckpt.label();
            List<Double> ys = new ArrayList<>();
            table.append(String.format("%-40s", key));
            StringBuilder perImage = new StringBuilder(String.format("%-40s", "  per-image mIoU"));
            ImageFigures last = null;
            for (Robustness.Point p : curve) {
                ImageFigures f = p.images().figures(WORST_IMAGES, i -> ds.get(i).id());
                last = f;
                perImage.append(f.imageMiou() == null ? String.format(" %9s", "n/a") : String.format(" %9.4f", f.imageMiou()));
                ObjectNode entry = (ObjectNode) Json.toTree(p.metrics());
                entry.set("image_figures", Json.toTree(f));
                entry.put("seconds", p.seconds());
                ObjectNode ensemble = RobustnessComparison.ensembleJson(p);
                if (ensemble != null) {
                    entry.set("ensemble", ensemble);
                }
                entry.put("eps", p.eps());
                entry.put("checkpoint", ckpt.file().toAbsolutePath().toString());
                entry.set("attack", Json.toTree(base.eps(p.eps()).settings()));
                entry.set("provenance", Provenance.of("attack").dataset("eval", ds.name(), ds.size(), ds.contentHash())
                        .put("checkpoint", ckpt.identity()).toJson());
                if (flags != null) {
                    entry.set("gradient_masking", flags);
                }
                entries.add(entry);
                ys.add(p.metrics().miou());
                table.append(String.format(" %9.4f", p.metrics().miou()));
            }
            table.append('\n').append(perImage).append('\n');
            miou.put(key, ys);
            if (last != null) {
                Robustness.Point p = curve.get(curve.size() - 1);
                figures.append(String.format("%s at eps %s: IoU of small / medium / large objects %s / %s / %s (%d / %d / %d objects); worst images:",
                        key, label(p.eps(), norm), num(last.bySize().get("small").iou()), num(last.bySize().get("medium").iou()),
                        num(last.bySize().get("large").iou()), last.bySize().get("small").objects(), last.bySize().get("medium").objects(),
                        last.bySize().get("large").objects()));
                last.worstImages().forEach(i -> figures.append(String.format(" %s (mIoU %.3f)", i.id(), i.miou())));
                figures.append('\n');
            }
        }

        private static String num(Double v) {
            return v == null ? "n/a" : String.format("%.4f", v);
        }
    }

    /** The preset with the command-line overrides applied. */
    private BudgetedAttack configure(org.robustseg.attack.Attack preset) {
        if (queries != null && !(preset instanceof SquareAttack) && !maskingCheck) {
            throw new IllegalArgumentException("--queries applies to --attack square and --masking-check only");
        }
        if (preset instanceof SquareAttack s) { // black-box: no steps, step size, restarts or loss
            if (loss != null || steps != null || stepSize != null || restarts != null || randomStart != null) {
                throw new IllegalArgumentException("--loss, --steps, --step-size, --restarts and --[no-]random-start do not apply to the square attack (its budget is --queries)");
            }
            return queries != null ? s.seed(seed).queries(positive(queries, "--queries")) : s.seed(seed);
        }
        if (preset instanceof Ensemble e) {
            if (loss != null) {
                throw new IllegalArgumentException("--loss does not apply to the sea ensemble (it runs all its losses)");
            }
            Ensemble c = e.seed(seed);
            c = steps != null ? c.steps(positive(steps, "--steps")) : c;
            c = stepSize != null ? c.stepSize(stepSize) : c;
            c = randomStart != null ? c.randomStart(randomStart) : c;
            return restarts != null ? c.restarts(positive(restarts, "--restarts")) : c;
        }
        GradientAttack g = ((GradientAttack) preset).seed(seed);
        g = steps != null ? g.steps(positive(steps, "--steps")) : g;
        g = stepSize != null ? g.stepSize(stepSize) : g;
        g = restarts != null ? g.restarts(positive(restarts, "--restarts")) : g;
        g = randomStart != null ? g.randomStart(randomStart) : g;
        return loss != null ? g.objective(loss) : g;
    }

    private static int positive(int v, String option) {
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
        return v;
    }

    /** The target-map function of a targeted attack, or null. */
    private UnaryOperator<NDArray> target(int classes) {
        if (targetClass != null && targetMap != null) {
            throw new IllegalArgumentException("give either --target-class or --target-map, not both");
        }
        if (targetClass != null) {
            if (targetClass < 0 || targetClass >= classes) {
                throw new IllegalArgumentException("--target-class " + targetClass + " is not a class id (0.." + (classes - 1) + ")");
            }
            int k = targetClass;
            return y -> Targets.everyPixel(y, k, classes);
        }
        if (targetMap != null) {
            String[] ab = targetMap.split(":");
            if (ab.length != 2) {
                throw new IllegalArgumentException("--target-map must be written a:b, got '" + targetMap + "'");
            }
            int a;
            int b;
            try {
                a = Integer.parseInt(ab[0].trim());
                b = Integer.parseInt(ab[1].trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--target-map must be two class ids a:b, got '" + targetMap + "'");
            }
            return y -> Targets.relabel(y, a, b, classes);
        }
        return null;
    }

    private static String label(float e, Norm n) {
        if (n == Norm.LINF && e > 0) {
            double k = e * 255;
            return Math.abs(k - Math.rint(k)) < 1e-3 ? String.format("%d/255", Math.round(k)) : String.format("%.4f", e);
        }
        return String.format("%.4g", e);
    }

    /** The four gradient-masking flags on the first --batch images at the largest budget, printed and as JSON. */
    private ArrayNode maskingFlags(String key, SegmentationModel model, SegDataset ds, BudgetedAttack attackAtMax) {
        Batch b = BatchLoader.sequential(DataSets.first(ds, batch), batch).iterator().next();
        try (NDManager m = model.manager().newSubManager()) {
            GradientMasking.Probe probe = GradientMasking.Probe.around(attackAtMax);
            if (queries != null) {
                probe = new GradientMasking.Probe(probe.whiteBox(), probe.blackBox().queries(positive(queries, "--queries")),
                        probe.curve(), probe.iterative(), probe.moreSteps(), probe.tolerance(), probe.nearZero());
            }
            ArrayNode json = Json.MAPPER.createArrayNode();
            for (GradientMasking.Flag f : GradientMasking.probe(model, b.images(m), b.labels(m), probe)) {
                System.out.println("gradient masking, " + key + ": " + f);
                json.add(Json.toTree(f));
            }
            return json;
        }
    }

    /** Rows of the example grid for the first images of the data set at the largest budget. */
    private void addExamples(ImageGrid grid, String key, SegmentationModel model, SegDataset ds, BudgetedAttack attackAtMax,
                             UnaryOperator<NDArray> target, Norm n, float maxEps) {
        Batch b = BatchLoader.sequential(DataSets.first(ds, examples), examples).iterator().next();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = b.images(m);
            NDArray y = b.labels(m);
            NDArray adv = attackAtMax.perturb(model, x, target == null ? y : target.apply(y)).adversarial();
            int[] clean = model.logits(x).argMax(1).toType(DataType.INT32, false).toIntArray();
            int[] attacked = model.logits(adv).argMax(1).toType(DataType.INT32, false).toIntArray();
            float[] xs = x.toFloatArray();
            float[] as = adv.toFloatArray();
            int h = b.height();
            int w = b.width();
            int px = 3 * h * w;
            float gain = ImageGrid.perturbationGain(n == Norm.LINF, maxEps, xs, as);
            for (int i = 0; i < b.size(); i++) {
                float[] xi = java.util.Arrays.copyOfRange(xs, i * px, (i + 1) * px);
                float[] ai = java.util.Arrays.copyOfRange(as, i * px, (i + 1) * px);
                float[] di = ImageGrid.perturbation(xi, ai, gain);
                List<BufferedImage> tiles = List.of(ImageGrid.image(xi, h, w),
                        ImageGrid.labels(java.util.Arrays.copyOfRange(clean, i * h * w, (i + 1) * h * w), h, w, ds.classes()),
                        ImageGrid.image(ai, h, w), ImageGrid.image(di, h, w),
                        ImageGrid.labels(java.util.Arrays.copyOfRange(attacked, i * h * w, (i + 1) * h * w), h, w, ds.classes()));
                grid.addRow(i == 0 ? key : "", tiles);
            }
        }
    }
}
