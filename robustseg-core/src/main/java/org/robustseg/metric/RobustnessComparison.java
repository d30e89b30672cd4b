package org.robustseg.metric;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.attack.SquareAttack;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;

/**
 * The robust-versus-standard table: per checkpoint, clean mIoU and mIoU under each attack column
 * (L∞ PGD, the PGD ensemble {@code sea-pgd}, SEA as published, APGD on one loss, Square, …) at
 * each budget, the time each column took, per-image and per-object figures, the training cost
 * read from the checkpoint, and the gradient-masking flags the figures allow.
 *
 * <p>Robust accuracy is never taken from the training attack: PGD here runs {@code steps}
 * iterations (10 by default, more than any training recipe's 1–3) with optional restarts, and
 * SEA runs APGD for 300 iterations on each of four losses and keeps the worst case per image.
 * SEA costs about 120 PGD-10 runs, so it and the other costly attacks (APGD, Square) may run on
 * a fixed subset of the images ({@link Settings#subsetImages}: evenly spaced,
 * {@link DataSets#evenlySpaced}); the other columns' figures on the same subset come from their
 * per-image confusion matrices at no extra cost, so SEA is always compared on equal terms. On the same images SEA should be at or below every
 * other column: where it is not, the row's {@link Row#seaAbove} says so (a weak SEA is a
 * correctness signal, not a result). The PGD curve may hold extra budgets (the demo's robustness
 * curve), so one evaluation serves both the curve and the table.
 */
public final class RobustnessComparison {
    public static final float EPS4 = 4 / 255f;
    public static final float EPS8 = 8 / 255f;
    /** The attack columns of the default table. */
    public static final List<String> DEFAULT_ATTACKS = List.of("pgd", "sea-pgd", "sea");
    /** Worst images listed per column. */
    public static final int WORST_IMAGES = 5;
    /** Accuracy differences up to this are not warnings (masking flags); a pixel or two of luck is not a signal. */
    static final double TOLERANCE = 0.01;

    private RobustnessComparison() {}

    /**
     * Attack settings of a comparison.
     *
     * @param steps iterations of PGD and of each sea-pgd member (SEA, APGD and Square keep their published budgets)
     * @param restarts PGD restarts (worst case per image)
     * @param seed seed of the random starts and of the Square attack
     * @param batch evaluation batch size
     * @param attacks the attack columns: pgd, sea-pgd, sea, apgd, apgd-LOSS, square, or any other preset of {@link Attacks#parse}
     * @param eps the budgets (L∞) at which every attack column runs
     * @param subsetImages the costly attacks (SEA, APGD, Square: hundreds of steps or queries per image) run on this
     *     many evenly spaced images (0: all); the cheap ones (PGD, sea-pgd, FGSM, BIM, SegPGD) on all
     * @param seaSteps APGD steps of each SEA member (the published 300; fewer only for smoke runs: the heading says SEA-n)
     * @param queries forward passes per image of the Square column (its published budget: 1000)
     * @param maskingCheck also run the gradient-masking checks that need their own attacks (unbounded
     *     PGD, PGD with 4× the steps) on the first batch of the subset's images
     */
    public record Settings(int steps, int restarts, long seed, int batch, List<String> attacks, List<Float> eps, int subsetImages,
                           int seaSteps, int queries, boolean maskingCheck) {
        public Settings {
            if (steps < 1 || restarts < 1) {
                throw new IllegalArgumentException("steps and restarts must be at least 1 (got " + steps + ", " + restarts + ")");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1 (got " + batch + ")");
            }
            attacks = List.copyOf(attacks);
            eps = List.copyOf(new TreeSet<>(eps));
            if (attacks.isEmpty() || eps.isEmpty()) {
                throw new IllegalArgumentException("a comparison needs at least one attack and one eps (got " + attacks + ", " + eps + ")");
            }
            if (new java.util.HashSet<>(attacks).size() != attacks.size()) {
                throw new IllegalArgumentException("--attacks names an attack twice: " + attacks);
            }
            for (float e : eps) {
                if (!(e > 0 && e <= 1)) {
                    throw new IllegalArgumentException("--eps must be in (0, 1] (the clean column is always there), got " + e);
                }
            }
            if (seaSteps < 1) {
                throw new IllegalArgumentException("--sea-steps must be at least 1, got " + seaSteps);
            }
            if (queries < 1) {
                throw new IllegalArgumentException("--queries must be at least 1, got " + queries);
            }
            if (subsetImages < 0) {
                throw new IllegalArgumentException("--subset must be >= 0 (0: all images), got " + subsetImages);
            }
            for (String a : attacks) {
                parse(a); // an unknown name fails here, before any model is loaded
            }
        }

        /** 10 PGD steps, 1 restart, seed 0, batch 16; PGD-10, sea-pgd and SEA at 4/255 and 8/255 on all images. */
        public static Settings defaults() {
            return new Settings(10, 1, 0, 16, DEFAULT_ATTACKS, List.of(EPS4, EPS8), 0, 300, 1000, false);
        }

        public BudgetedAttack pgd() {
            return Attacks.pgd(Norm.LINF).steps(steps).restarts(restarts).seed(seed);
        }

        /** The attack of column {@code name}, with this comparison's steps (PGD, sea-pgd), restarts (PGD) and seed. */
        public BudgetedAttack attack(String name) {
            return switch (name) {
                case "pgd" -> pgd();
                case "sea-pgd" -> Attacks.seaPgd(Norm.LINF).steps(steps).seed(seed);
                case "square" -> Attacks.square(Norm.LINF).queries(queries).seed(seed);
                case "sea" -> Attacks.sea(Norm.LINF).steps(seaSteps).seed(seed);
                default -> parse(name).seed(seed);
            };
        }

        /** The column's heading, with its budget of iterations: PGD-10, sea-pgd, SEA-300, APGD-100 js, Square-1000. */
        public String label(String name) {
            BudgetedAttack a = attack(name);
            if (a instanceof SquareAttack s) {
                return "Square-" + s.queries();
            }
            if (a instanceof GradientAttack g) {
                String base = name.startsWith("apgd") ? "APGD-" + g.steps() : name.toUpperCase(Locale.ROOT) + "-" + g.steps();
                return name.startsWith("apgd-") ? base + " " + name.substring(5) : base;
            }
            if (name.equals("sea")) {
                return "SEA-" + ((GradientAttack) ((Ensemble) a).members().get(0)).steps();
            }
            return name;
        }

        /** True for a column that runs on the subset only: a costly attack when a subset is set. */
        public boolean onSubset(String name) {
            return subsetImages > 0 && costly(name);
        }

        /** SEA, APGD and Square: hundreds of gradient steps or queries per image. */
        public static boolean costly(String name) {
            return name.equals("sea") || name.equals("square") || name.startsWith("apgd");
        }

        private static BudgetedAttack parse(String name) {
            Object a = Attacks.parse(name, Norm.LINF);
            if (!(a instanceof BudgetedAttack b)) {
                throw new IllegalArgumentException("attack '" + name + "' has no budget to compare at");
            }
            if (name.equals("targeted")) {
                throw new IllegalArgumentException("a targeted attack has no place in the robustness table (it needs a target map)");
            }
            return b;
        }
    }

    /**
     * One cell group of the table: an attack at one budget.
     *
     * @param attack the column's attack name (pgd, sea, apgd-js, …)
     * @param label its heading (PGD-10, SEA-300, APGD-100 js, …)
     * @param eps the budget
     * @param subset true when it ran on the subset's images only
     * @param point figures and wall time of the evaluation
     */
    public record Column(String attack, String label, float eps, boolean subset, Robustness.Point point) {
        /** The key of its figures in compare.json, e.g. "sea_pgd_8" for sea-pgd at 8/255. */
        public String key() {
            return RobustnessComparison.key(attack, eps);
        }
    }

    /**
     * One row of the table.
     *
     * @param name the run directory's name
     * @param checkpoint the checkpoint file evaluated
     * @param recipe a one-line description of the training recipe
     * @param epochs epochs trained
     * @param trainingSeconds training wall time recorded in the checkpoint
     * @param medianEpochSeconds the median of the epochs' training times (robust to a busy machine slowing one epoch)
     * @param pgdCurve mIoU under PGD at each budget (budget 0 = clean); holds 0 and, with a pgd column, its budgets
     * @param columns every attack column at every budget, in the order of the settings
     * @param subset indices of the images SEA ran on (all images when SEA ran on all)
     * @param subsetIds their sample ids
     * @param imageIds the sample ids of all images (naming the worst images)
     * @param masking the gradient-masking flags the figures allow (and the extra checks, when asked)
     * @param provenance the checkpoint's provenance
     */
    public record Row(String name, Path checkpoint, String recipe, int epochs, double trainingSeconds,
                      double medianEpochSeconds, List<Robustness.Point> pgdCurve, List<Column> columns, int[] subset,
                      List<String> subsetIds, List<String> imageIds, List<GradientMasking.Flag> masking, JsonNode provenance) {
        public SegmentationMetrics pgdAt(float eps) {
            return pgdCurve.stream().filter(p -> p.eps() == eps).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no PGD point at eps " + eps)).metrics();
        }

        public Robustness.Point cleanPoint() {
            return pgdCurve.stream().filter(p -> p.eps() == 0f).findFirst().orElseThrow();
        }

        public SegmentationMetrics clean() {
            return cleanPoint().metrics();
        }

        /** The column of {@code attack} at {@code eps}. */
        public Column column(String attack, float eps) {
            return columns.stream().filter(c -> c.attack().equals(attack) && c.eps() == eps).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no column " + attack + " at eps " + eps));
        }

        /**
         * The figures of a column (null: clean) on the subset's images: its own when it ran there (or
         * the subset is every image), else from its per-image results (an ensemble's worst-case mIoU
         * chosen anew on those images).
         */
        public SegmentationMetrics onSubset(Column c) {
            Robustness.Point p = c == null ? cleanPoint() : c.point();
            return c != null && c.subset() || subset.length == imageIds.size() ? p.metrics() : p.on(subset);
        }

        /** Per image of the subset's images, the column's pixel accuracy (null: clean). */
        double[] subsetAccuracy(Column c) {
            Robustness.Point p = c == null ? cleanPoint() : c.point();
            double[] all = p.images().imageAccuracy();
            if (c != null && c.subset()) {
                return all;
            }
            double[] s = new double[subset.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = all[subset[i]];
            }
            return s;
        }

        /**
         * Where published SEA is not the strongest column: per budget, every other column whose mIoU
         * on the subset's images is lower than SEA's, as "SEA-300 8/255 0.1234 above APGD-100 js 0.1200".
         * Empty when SEA is at or below every column (or did not run).
         */
        public List<String> seaAbove() {
            List<String> notes = new ArrayList<>();
            for (Column sea : columns) {
                if (!sea.attack().equals("sea")) {
                    continue;
                }
                double seaMiou = onSubset(sea).miou();
                for (Column other : columns) {
                    if (other != sea && other.eps() == sea.eps() && onSubset(other).miou() < seaMiou) {
                        notes.add(String.format(Locale.ROOT, "%s %s %.4f above %s %.4f", sea.label(), budget(sea.eps()), seaMiou,
                                other.label(), onSubset(other).miou()));
                    }
                }
            }
            return notes;
        }

        /** Training time of the checkpoint this run started from ({@code --init}), 0 for a run from scratch. */
        public double initTrainingSeconds() {
            return provenance.path("init_checkpoint").path("training_seconds").asDouble(0);
        }

        public double secondsPerEpoch() {
            return trainingSeconds / Math.max(1, epochs);
        }

        public ObjectNode toJson() {
            ObjectNode row = Json.object();
            row.put("checkpoint", checkpoint.toAbsolutePath().toString());
            row.put("name", name);
            row.put("recipe", recipe);
            row.put("clean_miou", clean().miou());
            row.put("clean_pixel_accuracy", clean().pixelAccuracy());
            for (Robustness.Point p : pgdCurve) { // flat keys for tables: pgd_4_miou, pgd_8_miou, sea_pgd_8_miou, sea_8_miou, ...
                if (p.eps() > 0) {
                    row.put("pgd_" + epsKey(p.eps()) + "_miou", p.metrics().miou());
                    row.put("pgd_" + epsKey(p.eps()) + "_pixel_accuracy", p.metrics().pixelAccuracy());
                }
            }
            for (Column c : columns) {
                row.put(c.key() + "_miou", c.point().metrics().miou());
                row.put(c.key() + "_pixel_accuracy", c.point().metrics().pixelAccuracy());
                row.put(c.key() + "_seconds", c.point().seconds());
            }
            ObjectNode clean = row.putObject("clean");
            clean.setAll((ObjectNode) Json.toTree(clean()));
            clean.set("image_figures", Json.toTree(figures(cleanPoint(), false)));
            ArrayNode cols = row.putArray("columns");
            for (Column c : columns) {
                ObjectNode o = cols.addObject();
                o.put("attack", c.attack());
                o.put("label", c.label());
                o.put("eps", c.eps());
                o.put("images", c.point().images().images());
                o.put("on_subset", c.subset());
                o.put("seconds", c.point().seconds());
                o.setAll((ObjectNode) Json.toTree(c.point().metrics()));
                o.set("image_figures", Json.toTree(figures(c.point(), c.subset())));
                ObjectNode ensemble = ensembleJson(c.point());
                if (ensemble != null) {
                    o.set("ensemble", ensemble);
                }
            }
            ObjectNode sub = row.putObject("subset");
            sub.put("images", subset.length);
            sub.set("indices", Json.toTree(subset));
            sub.set("ids", Json.toTree(subsetIds));
            ObjectNode onSub = sub.putObject("figures");
            onSub.set("clean", Json.toTree(onSubset(null)));
            for (Column c : columns) {
                onSub.set(c.key(), Json.toTree(onSubset(c)));
            }
            row.set("sea_above", Json.toTree(seaAbove()));
            row.set("gradient_masking", Json.toTree(masking));
            ArrayNode curve = row.putArray("pgd_curve");
            for (Robustness.Point p : pgdCurve) {
                curve.addObject().put("eps", p.eps()).put("miou", p.metrics().miou()).put("pixel_accuracy", p.metrics().pixelAccuracy())
                        .put("seconds", p.seconds());
            }
            row.put("epochs", epochs);
            row.put("training_seconds", trainingSeconds);
            row.put("init_training_seconds", initTrainingSeconds());
            row.put("seconds_per_epoch", secondsPerEpoch());
            row.put("median_epoch_seconds", medianEpochSeconds);
            row.set("checkpoint_provenance", provenance);
            return row;
        }

        /** A point's per-image figures ({@code onSubset}: evaluated on the subset's images), its worst images named by sample id. */
        public ImageFigures figures(Robustness.Point p, boolean onSubset) {
            return p.images().figures(WORST_IMAGES, i -> onSubset ? subsetIds.get(i) : imageIds.get(i));
        }
    }

    /**
     * Evaluates one checkpoint: clean, PGD at every budget of {@code curveEps} and of the settings,
     * and every other attack column at the settings' budgets (SEA on its subset).
     */
    public static Row evaluate(Checkpoint ckpt, SegDataset data, Settings settings, List<Float> curveEps,
                               ProgressListener progress) {
        TreeSet<Float> eps = new TreeSet<>(curveEps);
        eps.add(0f);
        if (settings.attacks().contains("pgd")) {
            eps.addAll(settings.eps());
        }
        int[] subset = settings.subsetImages() > 0 ? DataSets.evenlySpacedIndices(data.size(), settings.subsetImages())
                : DataSets.evenlySpacedIndices(data.size(), data.size());
        SegDataset seaData = subset.length < data.size() ? DataSets.subset(data, subset, "evenly spaced " + subset.length) : data;
        List<String> subsetIds = new ArrayList<>();
        for (int i : subset) {
            subsetIds.add(data.get(i).id());
        }
        JsonNode provenance = ckpt.meta().path("provenance");
        try (SegmentationModel model = ckpt.loadModel()) {
            List<Robustness.Point> curve = Robustness.evaluate(model, data, settings.pgd(), new ArrayList<>(eps), settings.batch(), progress);
            List<Column> columns = new ArrayList<>();
            for (String attack : settings.attacks()) {
                for (float e : settings.eps()) {
                    Robustness.Point p = attack.equals("pgd")
                            ? curve.stream().filter(c -> c.eps() == e).findFirst().orElseThrow()
                            : Robustness.evaluate(model, settings.onSubset(attack) ? seaData : data, settings.attack(attack), List.of(e),
                                    settings.batch(), progress).get(0);
                    columns.add(new Column(attack, settings.label(attack), e, settings.onSubset(attack) && subset.length < data.size(), p));
                }
            }
            List<String> allIds = new ArrayList<>(data.size());
            for (int i = 0; i < data.size(); i++) {
                allIds.add(data.get(i).id());
            }
            // an imported network is named by its card; a run (a fine-tuned one too) by its directory
            String name = ckpt.isImported() && ckpt.epoch() == 0 ? ckpt.label() : ckpt.runDir().getFileName().toString();
            // an imported network's training is not known to robustseg
            String recipe = ckpt.isImported() && ckpt.epoch() == 0 ? "imported" : describe(provenance.path("config").path("recipe"));
            Row row = new Row(name, ckpt.file(), recipe,
                    ckpt.epoch(), ckpt.meta().path("training_seconds").asDouble(), medianEpochSeconds(ckpt), curve, columns, subset,
                    subsetIds, allIds, List.of(), provenance);
            List<GradientMasking.Flag> flags = new ArrayList<>(maskingFlags(row, settings));
            if (settings.maskingCheck()) {
                flags.addAll(iterativeChecks(model, seaData, settings));
            }
            return new Row(row.name(), row.checkpoint(), row.recipe(), row.epochs(), row.trainingSeconds(), row.medianEpochSeconds(),
                    curve, columns, subset, subsetIds, allIds, List.copyOf(flags), provenance);
        }
    }

    /**
     * The flags the figures allow without another attack: (a) the black-box Square column below
     * every white-box column on an image, at the same budget (on the subset's images, where all ran);
     * (b) an attack's accuracy rising with the budget (clean counted as budget 0).
     */
    static List<GradientMasking.Flag> maskingFlags(Row row, Settings settings) {
        List<GradientMasking.Flag> flags = new ArrayList<>();
        if (settings.attacks().contains("square") && settings.attacks().size() > 1) {
            GradientMasking.Flag worst = null;
            for (float e : settings.eps()) {
                double[] black = row.subsetAccuracy(row.column("square", e));
                double[] white = null;
                for (Column c : row.columns()) {
                    if (c.eps() == e && !c.attack().equals("square")) {
                        double[] a = row.subsetAccuracy(c);
                        white = white == null ? a : min(white, a);
                    }
                }
                GradientMasking.Flag f = GradientMasking.blackBoxBeatsWhiteBox(floats(white), floats(black), TOLERANCE);
                f = new GradientMasking.Flag(f.name(), f.raised(), "at " + budget(e) + ": " + f.evidence(), f.figures());
                worst = worst == null || (f.raised() && !worst.raised()) ? f : worst;
            }
            flags.add(worst);
        }
        GradientMasking.Flag rises = null;
        for (String attack : settings.attacks()) {
            List<Float> eps = new ArrayList<>(List.of(0f));
            List<Double> accuracy = new ArrayList<>();
            boolean sub = settings.onSubset(attack) && row.columns().stream().anyMatch(c -> c.attack().equals(attack) && c.subset());
            accuracy.add(sub ? row.onSubset(null).pixelAccuracy() : row.clean().pixelAccuracy());
            for (float e : settings.eps()) {
                eps.add(e);
                accuracy.add(row.column(attack, e).point().metrics().pixelAccuracy());
            }
            GradientMasking.Flag f = GradientMasking.accuracyRisesWithEps(eps, accuracy, TOLERANCE);
            f = new GradientMasking.Flag(f.name(), f.raised(), settings.label(attack) + ": " + f.evidence(), f.figures());
            rises = rises == null || (f.raised() && !rises.raised()) ? f : rises;
        }
        flags.add(rises);
        return flags;
    }

    /**
     * An ensemble point's members (name, mIoU, pixel accuracy, seconds), the share of images each
     * supplied, and the mIoU of the per-accuracy choice next to the worst-case one; null for a single attack.
     */
    public static ObjectNode ensembleJson(Robustness.Point p) {
        if (p.ensemble() == null) {
            return null;
        }
        ObjectNode o = Json.object();
        o.put("miou_rule", "per image the member that minimises the data-set mIoU (SEA's worst case; coordinate descent)");
        o.put("pixel_accuracy_rule", "per image the member with the lowest accuracy, then the highest loss");
        o.put("miou_of_accuracy_choice", p.images().confusion().meanIou());
        ArrayNode members = o.putArray("members");
        int[] choice = p.ensemble().choice();
        for (int k = 0; k < p.ensemble().members().size(); k++) {
            Robustness.Member m = p.ensemble().members().get(k);
            int kept = 0;
            for (int c : choice) {
                kept += c == k ? 1 : 0;
            }
            members.addObject().put("name", m.name()).put("miou", m.point().metrics().miou())
                    .put("pixel_accuracy", m.point().metrics().pixelAccuracy()).put("seconds", m.point().seconds())
                    .put("images_kept_by_accuracy", kept);
        }
        return o;
    }

    /**
     * Checks (c) and (d) with PGD at the largest budget on the first batch of {@code data}: at least
     * 10 steps (fewer cannot be asked to reach ~0 unbounded), against 4× as many.
     */
    private static List<GradientMasking.Flag> iterativeChecks(SegmentationModel model, SegDataset data, Settings settings) {
        Batch b = BatchLoader.sequential(DataSets.first(data, settings.batch()), settings.batch()).iterator().next();
        GradientAttack pgd = Attacks.pgd(Norm.LINF).steps(Math.max(10, settings.steps())).seed(settings.seed())
                .eps(settings.eps().get(settings.eps().size() - 1));
        try (NDManager m = model.manager().newSubManager()) {
            return GradientMasking.iterativeChecks(model, b.images(m), b.labels(m), pgd, 4 * pgd.steps(), TOLERANCE, 0.1);
        }
    }

    private static double[] min(double[] a, double[] b) {
        double[] m = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = Math.min(a[i], b[i]);
        }
        return m;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The median training time of an epoch from a checkpoint's history (0 without history). */
    public static double medianEpochSeconds(Checkpoint ckpt) {
        double[] s = new double[ckpt.meta().path("history").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ckpt.meta().path("history").get(i).path("seconds").asDouble();
        }
        java.util.Arrays.sort(s);
        return s.length == 0 ? 0 : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** "8/255" for a budget that is a whole number of grey levels, else the number. */
    public static String budget(float eps) {
        double k = eps * 255;
        return Math.abs(k - Math.rint(k)) < 1e-3 ? Math.round(k) + "/255" : String.format(Locale.ROOT, "%.4g", eps);
    }

    /** The key of an attack's figures at a budget in compare.json, e.g. "sea_pgd_8" for sea-pgd at 8/255. */
    public static String key(String attack, float eps) {
        return attack.replace('-', '_') + "_" + epsKey(eps);
    }

    /** The budget in a JSON key: "8" for 8/255, else the number with 'p' for the point. */
    static String epsKey(float eps) {
        double k = eps * 255;
        return Math.abs(k - Math.rint(k)) < 1e-3 ? Long.toString(Math.round(k)) : String.format(Locale.ROOT, "%.4g", eps).replace('.', 'p');
    }

    /**
     * The table as markdown: mIoU per column, the time of each column, the columns on the subset's images
     * (when SEA ran on a subset), per-image and per-object figures at the largest budget, the flags,
     * and a footnote naming the attacks and the data.
     */
    public static String markdown(List<Row> rows, Settings s, SegDataset data) {
        StringBuilder md = new StringBuilder();
        List<String> heads = new ArrayList<>();
        for (String a : s.attacks()) {
            for (float e : s.eps()) {
                heads.add(s.label(a) + " " + budget(e) + (s.onSubset(a) && subsetSize(rows) < data.size() ? " †" : ""));
            }
        }
        md.append("| model | recipe | clean mIoU | ").append(String.join(" | ", heads)).append(" | training time | s/epoch (median) |\n");
        md.append("|---|---|---|").append("---|".repeat(heads.size())).append("---|---|\n");
        for (Row r : rows) {
            String time = String.format(Locale.ROOT, "%.1f min", r.trainingSeconds() / 60)
                    + (r.initTrainingSeconds() > 0 ? String.format(Locale.ROOT, " (+%.1f min init)", r.initTrainingSeconds() / 60) : "");
            md.append(String.format(Locale.ROOT, "| %s (epoch %d) | %s | %.4f |", r.name(), r.epochs(), r.recipe(), r.clean().miou()));
            r.columns().forEach(c -> md.append(String.format(Locale.ROOT, " %.4f |", c.point().metrics().miou())));
            md.append(String.format(Locale.ROOT, " %s | %.1f |%n", time, r.medianEpochSeconds()));
        }
        md.append("\nSeconds per column (attack and scoring, wall time):\n\n| model | clean | ").append(String.join(" | ", heads))
                .append(" |\n|---|---|").append("---|".repeat(heads.size())).append('\n');
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f |", r.name(), r.cleanPoint().seconds()));
            r.columns().forEach(c -> md.append(String.format(Locale.ROOT, " %.0f |", c.point().seconds())));
            md.append('\n');
        }
        if (subsetSize(rows) < data.size()) {
            md.append(String.format(Locale.ROOT, "%n† on %d of the %d images (evenly spaced: image ⌊i·%d/%d⌋, i = 0..%d). "
                    + "Every column on those images (mIoU / pixel accuracy):%n%n| model | clean | %s |%n|---|---|%s%n",
                    subsetSize(rows), data.size(), data.size(), subsetSize(rows), subsetSize(rows) - 1,
                    String.join(" | ", heads).replace(" †", ""), "---|".repeat(heads.size())));
            for (Row r : rows) {
                md.append(String.format(Locale.ROOT, "| %s | %.4f / %.4f |", r.name(), r.onSubset(null).miou(), r.onSubset(null).pixelAccuracy()));
                r.columns().forEach(c -> md.append(String.format(Locale.ROOT, " %.4f / %.4f |", r.onSubset(c).miou(), r.onSubset(c).pixelAccuracy())));
                md.append('\n');
            }
        }
        float largest = s.eps().get(s.eps().size() - 1);
        md.append(String.format(Locale.ROOT, "%nPer image and per object at %s: mIoU (data set), per-image mIoU (mean over images), "
                + "IoU of small / medium / large objects (<1%%, 1-10%%, >=10%% of the image), worst images (per-image mIoU):%n%n"
                + "| model | attack | mIoU | per-image mIoU | small | medium | large | worst images |%n|---|---|---|---|---|---|---|---|%n",
                budget(largest)));
        for (Row r : rows) {
            md.append(figuresLine(r, "clean", r.cleanPoint(), false));
            for (Column c : r.columns()) {
                if (c.eps() == largest) {
                    md.append(figuresLine(r, c.label(), c.point(), c.subset()));
                }
            }
        }
        List<String> warnings = new ArrayList<>();
        for (Row r : rows) {
            r.masking().stream().filter(GradientMasking.Flag::raised).forEach(f -> warnings.add(r.name() + ": gradient masking? " + f));
            r.seaAbove().forEach(n -> warnings.add(r.name() + ": SEA is not the strongest attack: " + n));
        }
        if (!warnings.isEmpty()) {
            md.append("\nWarnings:\n\n");
            warnings.forEach(w -> md.append("- ").append(w).append('\n'));
        }
        md.append(String.format(Locale.ROOT, "%nAttacks (L-inf): %s. Data: %s (%d images).%n", describeAttacks(s), data.name(), data.size()));
        return md.toString();
    }

    private static String figuresLine(Row r, String label, Robustness.Point p, boolean onSubset) {
        ImageFigures f = r.figures(p, onSubset);
        StringBuilder worst = new StringBuilder();
        for (ImageFigures.Image i : f.worstImages()) {
            worst.append(worst.length() == 0 ? "" : ", ").append(i.id()).append(String.format(Locale.ROOT, " %.2f", i.miou()));
        }
        return String.format(Locale.ROOT, "| %s | %s | %.4f | %s | %s | %s | %s | %s |%n", r.name(), label + (onSubset ? " †" : ""),
                p.metrics().miou(), num(f.imageMiou()), num(f.bySize().get("small").iou()), num(f.bySize().get("medium").iou()),
                num(f.bySize().get("large").iou()), worst);
    }

    private static String num(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static int subsetSize(List<Row> rows) {
        return rows.isEmpty() ? 0 : rows.get(0).subset().length;
    }

    /** One sentence per attack column: what it runs. */
    static String describeAttacks(Settings s) {
        List<String> parts = new ArrayList<>();
        for (String a : s.attacks()) {
            BudgetedAttack attack = s.attack(a);
            String what = switch (a) {
                case "pgd" -> String.format(Locale.ROOT, "%d steps of 2.5*eps/%d, random start, %d restart(s)", s.steps(), s.steps(), s.restarts());
                case "sea-pgd" -> String.format(Locale.ROOT, "the PGD ensemble: PGD-%d (random start) on each of SEA's four losses "
                        + "(masked CE, balanced CE, JS, masked spherical), worst case per image as for SEA", s.steps());
                case "sea" -> {
                    int[] stages = org.robustseg.attack.Radii.sea().split(s.seaSteps());
                    yield String.format(Locale.ROOT, "SEA %s(Croce et al. 2023): APGD on each of masked CE, balanced CE, JS and masked "
                            + "spherical, %d steps each with the radius 2eps, 1.5eps, eps over %d, %d, %d steps, no random start; pixel "
                            + "accuracy from the per-image worst case (lowest accuracy), mIoU from the per-image choice of member that "
                            + "minimises the data-set mIoU, as the paper reports them", s.seaSteps() == 300 ? "as published " : "with fewer steps than published ", s.seaSteps(),
                            stages[0], stages[1], stages[2]);
                }
                default -> attack instanceof GradientAttack g && a.startsWith("apgd")
                        ? String.format(Locale.ROOT, "APGD (Croce & Hein 2020) on %s, %d steps from 2*eps, no random start", g.objective().name(), g.steps())
                        : attack instanceof SquareAttack q ? String.format(Locale.ROOT, "the black-box Square attack, %d queries (forward passes only)", q.queries())
                        : attack.settings().toString();
            };
            parts.add(s.label(a) + ": " + what);
        }
        return String.join("; ", parts);
    }

    /** The table as JSON: rows, the attacks' settings and provenance. */
    public static ObjectNode json(List<Row> rows, Settings s, SegDataset data) {
        ObjectNode json = Json.object();
        ArrayNode array = json.putArray("rows");
        rows.forEach(r -> array.add(r.toJson()));
        ObjectNode attacks = json.putObject("attacks");
        float largest = s.eps().get(s.eps().size() - 1);
        for (String a : s.attacks()) {
            attacks.set(a, Json.toTree(s.attack(a).eps(largest).settings()));
        }
        json.set("settings", Json.toTree(s));
        json.set("provenance", Provenance.of("compare").dataset("eval", data.name(), data.size(), data.contentHash()).toJson());
        return json;
    }

    /** One-line recipe description from a stored configuration, e.g. "pgd-at linf 8/255 x3". */
    public static String describe(JsonNode recipe) {
        if (recipe.isTextual() || recipe.isMissingNode()) {
            return recipe.asText("standard");
        }
        String name = recipe.path("name").asText("standard");
        if (!recipe.has("eps")) {
            return name;
        }
        double eps = recipe.path("eps").asDouble();
        String budget = "linf".equals(recipe.path("norm").asText()) ? String.format("%.3g/255", eps * 255) : String.format("%.3g", eps);
        String rule = recipe.path("step_rule").asText("fixed");
        return String.format("%s %s %s x%d%s", name, recipe.path("norm").asText(), budget, recipe.path("attack_steps").asInt(),
                "fixed".equals(rule) ? "" : " " + rule);
    }
}
