package org.robustseg.metric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;

/**
 * The robust-versus-standard table: per checkpoint, clean mIoU, mIoU under L∞ PGD at 4/255 and
 * 8/255, under the SEA-style ensemble at 8/255, and the training cost read from the checkpoint.
 *
 * <p>Robust accuracy is never taken from the training attack: PGD here runs {@code steps}
 * iterations (10 by default, more than any training recipe's 1–3) with optional restarts, and
 * SEA takes the worst case per image over four losses. The PGD curve may hold extra budgets (the
 * demo's robustness curve), so one evaluation serves both the curve and the table.
 */
public final class RobustnessComparison {
    public static final float EPS4 = 4 / 255f;
    public static final float EPS8 = 8 / 255f;

    private RobustnessComparison() {}

    /**
     * Attack settings of a comparison.
     *
     * @param steps iterations of PGD and of each SEA member
     * @param restarts PGD restarts (worst case per image)
     * @param seed seed of the random starts
     * @param batch evaluation batch size
     */
    public record Settings(int steps, int restarts, long seed, int batch) {
        public Settings {
            if (steps < 1 || restarts < 1) {
                throw new IllegalArgumentException("steps and restarts must be at least 1 (got " + steps + ", " + restarts + ")");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1 (got " + batch + ")");
            }
        }

        /** 10 PGD steps, 1 restart, seed 0, batch 16. */
        public static Settings defaults() {
            return new Settings(10, 1, 0, 16);
        }

        public BudgetedAttack pgd() {
            return Attacks.pgd(Norm.LINF).steps(steps).restarts(restarts).seed(seed);
        }

        /**
         * The PGD ensemble over SEA's losses ({@link Attacks#seaPgd}), recorded under its
         * historical name "sea" so that the demo's tables and files stay comparable; its recorded
         * settings (random start, fixed step, {@code steps} steps) say what it is. The published
         * SEA ({@link Attacks#sea}) is available to the attack command.
         */
        public BudgetedAttack sea() {
            return Attacks.seaPgd(Norm.LINF).named("sea").steps(steps).seed(seed);
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
     * @param pgdCurve mIoU under PGD at each budget (budget 0 = clean); holds at least 0, 4/255, 8/255
     * @param sea8 figures under the SEA ensemble at 8/255
     * @param provenance the checkpoint's provenance
     */
    public record Row(String name, Path checkpoint, String recipe, int epochs, double trainingSeconds,
                      double medianEpochSeconds, List<Robustness.Point> pgdCurve, SegmentationMetrics sea8, JsonNode provenance) {
        public SegmentationMetrics pgdAt(float eps) {
            return pgdCurve.stream().filter(p -> p.eps() == eps).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no PGD point at eps " + eps)).metrics();
        }

        public SegmentationMetrics clean() {
            return pgdAt(0f);
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
            row.put("pgd_4_miou", pgdAt(EPS4).miou());
            row.put("pgd_8_miou", pgdAt(EPS8).miou());
            row.put("sea_8_miou", sea8.miou());
            row.put("clean_pixel_accuracy", clean().pixelAccuracy());
            row.put("pgd_8_pixel_accuracy", pgdAt(EPS8).pixelAccuracy());
            row.put("sea_8_pixel_accuracy", sea8.pixelAccuracy());
            ArrayNode curve = row.putArray("pgd_curve");
            for (Robustness.Point p : pgdCurve) {
                curve.addObject().put("eps", p.eps()).put("miou", p.metrics().miou()).put("pixel_accuracy", p.metrics().pixelAccuracy());
            }
            row.put("epochs", epochs);
            row.put("training_seconds", trainingSeconds);
            row.put("init_training_seconds", initTrainingSeconds());
            row.put("seconds_per_epoch", secondsPerEpoch());
            row.put("median_epoch_seconds", medianEpochSeconds);
            row.set("checkpoint_provenance", provenance);
            return row;
        }
    }

    /**
     * Evaluates one checkpoint: PGD at every budget of {@code curveEps} plus 0, 4/255 and 8/255,
     * and SEA at 8/255.
     */
    public static Row evaluate(Checkpoint ckpt, SegDataset data, Settings settings, List<Float> curveEps,
                               ProgressListener progress) {
        TreeSet<Float> eps = new TreeSet<>(curveEps);
        eps.addAll(List.of(0f, EPS4, EPS8));
        JsonNode provenance = ckpt.meta().path("provenance");
        try (SegmentationModel model = ckpt.loadModel()) {
            List<Robustness.Point> curve = Robustness.evaluate(model, data, settings.pgd(), new ArrayList<>(eps), settings.batch(), progress);
            SegmentationMetrics sea = Robustness.evaluate(model, data, settings.sea(), List.of(EPS8), settings.batch(), progress)
                    .get(0).metrics();
            // an imported network is named by its card; a run (a fine-tuned one too) by its directory
            String name = ckpt.isImported() && ckpt.epoch() == 0 ? ckpt.label() : ckpt.runDir().getFileName().toString();
            // an imported network's training is not known to robustseg
            String recipe = ckpt.isImported() && ckpt.epoch() == 0 ? "imported" : describe(provenance.path("config").path("recipe"));
            return new Row(name, ckpt.file(), recipe, ckpt.epoch(),
                    ckpt.meta().path("training_seconds").asDouble(), medianEpochSeconds(ckpt), curve, sea, provenance);
        }
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

    /** The table as markdown, with a footnote naming the attacks and the data. */
    public static String markdown(List<Row> rows, Settings s, SegDataset data) {
        StringBuilder md = new StringBuilder();
        md.append("| model | recipe | clean mIoU | PGD-").append(s.steps()).append(" 4/255 | PGD-").append(s.steps())
                .append(" 8/255 | SEA 8/255 | training time | s/epoch (median) |\n|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            String time = String.format("%.1f min", r.trainingSeconds() / 60)
                    + (r.initTrainingSeconds() > 0 ? String.format(" (+%.1f min init)", r.initTrainingSeconds() / 60) : "");
            md.append(String.format("| %s (epoch %d) | %s | %.4f | %.4f | %.4f | %.4f | %s | %.1f |%n", r.name(), r.epochs(),
                    r.recipe(), r.clean().miou(), r.pgdAt(EPS4).miou(), r.pgdAt(EPS8).miou(), r.sea8().miou(),
                    time, r.medianEpochSeconds()));
        }
        md.append(String.format("%nAttacks: L-inf PGD with %d steps of 2.5*eps/%d, random start, %d restart(s); SEA: PGD "
                + "(sea-pgd) on the four SEA losses (masked CE, balanced CE, JS, masked spherical), %d steps each, worst case per image. "
                + "Data: %s (%d images).%n", s.steps(), s.steps(), s.restarts(), s.steps(), data.name(), data.size()));
        return md.toString();
    }

    /** The table as JSON: rows, the attacks' settings and provenance. */
    public static ObjectNode json(List<Row> rows, Settings s, SegDataset data) {
        ObjectNode json = Json.object();
        ArrayNode array = json.putArray("rows");
        rows.forEach(r -> array.add(r.toJson()));
        ObjectNode attacks = json.putObject("attacks");
        attacks.set("pgd", Json.toTree(s.pgd().settings()));
        attacks.set("sea", Json.toTree(s.sea().eps(EPS8).settings()));
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
        return String.format("%s %s %s x%d", name, recipe.path("norm").asText(), budget, recipe.path("attack_steps").asInt());
    }
}
