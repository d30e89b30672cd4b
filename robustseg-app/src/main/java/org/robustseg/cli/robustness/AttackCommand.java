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
import java.util.concurrent.Callable;
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
import org.robustseg.data.Split;
import org.robustseg.metric.GradientMasking;
import org.robustseg.metric.Robustness;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run attack ...}: robustness curves of one or more checkpoints under an attack at a
 * series of budgets, with robustness.json, a curve PNG and an example grid.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack checkpoints at several budgets: robustness.json, robustness.png, examples.png.")
public final class AttackCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory; repeat to compare several.")
    List<Path> checkpoints;

    @Option(names = "--data", required = true, description = "Data directory (VOC or Cityscapes layout).")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--attack", defaultValue = "pgd", description = "fgsm, bim, pgd, apgd, segpgd, sea (APGD on SEA's losses, 300 steps, 2/1.5/1 eps), "
            + "sea-pgd (PGD on SEA's losses), square (black-box, linf) or targeted (default ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--norm", defaultValue = "linf", description = "linf or l2 (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "0,2/255,4/255,8/255", description = "Budgets, comma-separated; fractions allowed (default ${DEFAULT-VALUE}).")
    String eps;

    @Option(names = "--steps", description = "Attack iterations (default: the preset's, e.g. 10 for pgd, 100 for apgd, 300 for sea, 4 for bim, 1 for fgsm).")
    Integer steps;

    @Option(names = "--queries", description = "Forward passes of the square attack, also of the one --masking-check runs (default 1000).")
    Integer queries;

    @Option(names = "--step-size", description = "Step size (default: the preset's, e.g. 2.5*eps/steps for pgd, 0.01 for bim).")
    Float stepSize;

    @Option(names = "--restarts", description = "Random restarts; the worst case per image is kept (default 1).")
    Integer restarts;

    @Option(names = "--loss", description = "Objective for pgd-type attacks: ce, masked-ce, balanced-ce, js, masked-spherical, masked-margin.")
    String loss;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of random starts (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--target-class", description = "Targeted attack: push every pixel to this class.")
    Integer targetClass;

    @Option(names = "--target-map", description = "Targeted attack: relabel class a as class b, written a:b.")
    String targetMap;

    @Option(names = "--limit", description = "Use only the first N images of the split.")
    Integer limit;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--examples", defaultValue = "4", description = "Example rows per checkpoint in examples.png (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--masking-check", description = "Also run the gradient-masking checks (black-box Square vs the attack, "
            + "accuracy vs eps, unbounded PGD, PGD 10 vs 40 steps) on the first --batch images at the largest eps; "
            + "flags in robustness.json (gradient_masking) and on the console. linf only.")
    boolean maskingCheck;

    @Override
    public Integer call() {
        Norm n = Norm.parse(norm);
        List<Float> budgets = Eps.parse(eps, n);
        BudgetedAttack base = configure(Attacks.parse(attack, n));
        SegDataset ds = DataSets.open(data, Split.parse(split));
        if (limit != null) {
            ds = DataSets.first(ds, limit);
        }
        int classes = ds.classes().size();
        UnaryOperator<NDArray> target = target(classes);
        if (attack.equalsIgnoreCase("targeted") && target == null) {
            throw new IllegalArgumentException("--attack targeted needs --target-class K or --target-map a:b");
        }

        ArrayNode entries = Json.MAPPER.createArrayNode();
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        ImageGrid grid = new ImageGrid(List.of("clean", "prediction", "adversarial", "perturbation (amplified)",
                "adv. prediction"), 2);
        float maxEps = budgets.stream().max(Float::compare).orElse(0f);
        StringBuilder table = new StringBuilder(String.format("%-40s", "checkpoint \\ eps"));
        budgets.forEach(e -> table.append(String.format(" %9s", label(e, n))));
        table.append('\n');
        if (maskingCheck && (n != Norm.LINF || target != null || maxEps <= 0)) {
            throw new IllegalArgumentException("--masking-check needs --norm linf, an untargeted attack and a budget above 0");
        }
        for (Path path : checkpoints) {
            Checkpoint ckpt = Checkpoint.open(path);
            try (SegmentationModel model = ckpt.loadModel()) {
                if (model.numClasses() != classes) {
                    throw new IllegalArgumentException("checkpoint " + ckpt.file() + " predicts " + model.numClasses()
                            + " classes but " + ds.name() + " has " + classes);
                }
                List<Robustness.Point> curve = Robustness.evaluate(model, ds, base, target, budgets, batch, ConsoleProgress.stderr());
                String key = ckpt.label();
                List<Double> ys = new ArrayList<>();
                ArrayNode flags = maskingCheck ? maskingFlags(key, model, ds, base.eps(maxEps)) : null;
                table.append(String.format("%-40s", key));
                for (Robustness.Point p : curve) {
                    ObjectNode entry = (ObjectNode) Json.toTree(p.metrics());
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
                table.append('\n');
                curves.put(key, ys);
                if (examples > 0 && maxEps > 0) {
                    addExamples(grid, key, model, ds, base.eps(maxEps), target, n, maxEps);
                }
            }
        }
        Json.write(out.resolve("robustness.json"), entries);
        List<Double> xs = budgets.stream().map(e -> n == Norm.LINF ? e * 255.0 : e).toList();
        Charts.lines(out.resolve("robustness.png"), "mIoU under " + base.settings().get("name") + " (" + norm + ")",
                n == Norm.LINF ? "eps (x/255)" : "eps (L2)", "mIoU", xs, curves);
        if (examples > 0 && maxEps > 0) {
            grid.write(out.resolve("examples.png"));
        }
        System.out.print("mIoU under " + base.settings().get("name") + " " + norm + "\n" + table);
        System.out.println("wrote " + out.resolve("robustness.json") + ", robustness.png" + (maxEps > 0 ? ", examples.png" : ""));
        return 0;
    }

    /** The preset with the command-line overrides applied. */
    private BudgetedAttack configure(org.robustseg.attack.Attack preset) {
        if (queries != null && !(preset instanceof SquareAttack) && !maskingCheck) {
            throw new IllegalArgumentException("--queries applies to --attack square and --masking-check only");
        }
        if (preset instanceof SquareAttack s) {
            if (loss != null || steps != null || stepSize != null || restarts != null) {
                throw new IllegalArgumentException("--loss, --steps, --step-size and --restarts do not apply to the square attack (use --queries)");
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
            return restarts != null ? c.restarts(positive(restarts, "--restarts")) : c;
        }
        GradientAttack g = ((GradientAttack) preset).seed(seed);
        g = steps != null ? g.steps(positive(steps, "--steps")) : g;
        g = stepSize != null ? g.stepSize(stepSize) : g;
        g = restarts != null ? g.restarts(positive(restarts, "--restarts")) : g;
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
                probe = new GradientMasking.Probe(probe.whiteBox(), probe.blackBox().queries(positive(queries, "--queries")), probe.curve(),
                        probe.iterative(), probe.moreSteps(), probe.tolerance(), probe.nearZero());
            }
            List<GradientMasking.Flag> flags = GradientMasking.probe(model, b.images(m), b.labels(m), probe);
            ArrayNode json = Json.MAPPER.createArrayNode();
            for (GradientMasking.Flag f : flags) {
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
            // the perturbation is shown around grey: 0.5 + delta scaled so that the budget fills the range
            float gain = n == Norm.LINF ? 0.5f / maxEps : 0.5f / Math.max(1e-6f, maxAbs(xs, as));
            for (int i = 0; i < b.size(); i++) {
                float[] xi = java.util.Arrays.copyOfRange(xs, i * px, (i + 1) * px);
                float[] ai = java.util.Arrays.copyOfRange(as, i * px, (i + 1) * px);
                float[] di = new float[px];
                for (int k = 0; k < px; k++) {
                    di[k] = Math.min(1f, Math.max(0f, 0.5f + (ai[k] - xi[k]) * gain));
                }
                List<BufferedImage> tiles = List.of(ImageGrid.image(xi, h, w),
                        ImageGrid.labels(java.util.Arrays.copyOfRange(clean, i * h * w, (i + 1) * h * w), h, w, ds.classes()),
                        ImageGrid.image(ai, h, w), ImageGrid.image(di, h, w),
                        ImageGrid.labels(java.util.Arrays.copyOfRange(attacked, i * h * w, (i + 1) * h * w), h, w, ds.classes()));
                grid.addRow(i == 0 ? key : "", tiles);
            }
        }
    }

    private static float maxAbs(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
