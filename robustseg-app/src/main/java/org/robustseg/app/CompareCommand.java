package org.robustseg.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Norm;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.io.AtomicFiles;
import org.robustseg.metric.Robustness;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run compare ...}: one table of clean and robust mIoU and training cost, a row per
 * checkpoint. Robustness is measured with attacks stronger than any training attack: PGD with
 * more steps (10 by default, plus optional restarts) and the SEA-style ensemble of four losses.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare checkpoints: clean mIoU, PGD and SEA robustness, training time (compare.md, compare.json).")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory; repeat for each row.")
    List<Path> checkpoints;

    @Option(names = "--data", required = true, description = "Data directory.")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--steps", defaultValue = "10", description = "Iterations of PGD and of each SEA member (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--restarts", defaultValue = "1", description = "PGD restarts (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--limit", description = "Use only the first N images.")
    Integer limit;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the attacks' random starts (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    static final float EPS4 = 4 / 255f;
    static final float EPS8 = 8 / 255f;

    @Override
    public Integer call() {
        if (steps < 1 || restarts < 1) {
            throw new IllegalArgumentException("--steps and --restarts must be at least 1");
        }
        SegDataset ds = DataSets.open(data, Split.parse(split));
        if (limit != null) {
            ds = DataSets.first(ds, limit);
        }
        BudgetedAttack pgd = Attacks.pgd(Norm.LINF).steps(steps).restarts(restarts).seed(seed);
        BudgetedAttack sea = Attacks.sea(Norm.LINF).steps(steps).seed(seed);
        ArrayNode rows = Json.MAPPER.createArrayNode();
        StringBuilder md = new StringBuilder();
        md.append("| checkpoint | recipe | clean mIoU | PGD-").append(steps).append(" 4/255 | PGD-").append(steps)
                .append(" 8/255 | SEA 8/255 | training time | s/epoch |\n|---|---|---|---|---|---|---|---|\n");
        for (Path path : checkpoints) {
            Checkpoint ckpt = Checkpoint.open(path);
            JsonNode config = ckpt.meta().path("provenance").path("config");
            String recipe = describe(config.path("recipe"));
            ObjectNode row = Json.object();
            String name = EvalCommand.runDirOf(ckpt.file()).getFileName().toString();
            row.put("checkpoint", ckpt.file().toAbsolutePath().toString());
            row.put("name", name);
            row.put("recipe", recipe);
            try (SegmentationModel model = ckpt.loadModel()) {
                List<Robustness.Point> p = Robustness.evaluate(model, ds, pgd, List.of(0f, EPS4, EPS8), batch, ConsoleProgress.stderr());
                List<Robustness.Point> s = Robustness.evaluate(model, ds, sea, List.of(EPS8), batch, ConsoleProgress.stderr());
                row.put("clean_miou", p.get(0).metrics().miou());
                row.put("pgd_4_miou", p.get(1).metrics().miou());
                row.put("pgd_8_miou", p.get(2).metrics().miou());
                row.put("sea_8_miou", s.get(0).metrics().miou());
                row.put("clean_pixel_accuracy", p.get(0).metrics().pixelAccuracy());
                row.put("pgd_8_pixel_accuracy", p.get(2).metrics().pixelAccuracy());
                row.put("sea_8_pixel_accuracy", s.get(0).metrics().pixelAccuracy());
            }
            double seconds = ckpt.meta().path("training_seconds").asDouble();
            int epochs = Math.max(1, ckpt.epoch());
            row.put("epochs", ckpt.epoch());
            row.put("training_seconds", seconds);
            row.put("seconds_per_epoch", seconds / epochs);
            row.set("checkpoint_provenance", ckpt.meta().path("provenance"));
            rows.add(row);
            md.append(String.format("| %s (epoch %d) | %s | %.4f | %.4f | %.4f | %.4f | %.1f min | %.1f |%n", name, ckpt.epoch(),
                    recipe, row.get("clean_miou").asDouble(), row.get("pgd_4_miou").asDouble(), row.get("pgd_8_miou").asDouble(),
                    row.get("sea_8_miou").asDouble(), seconds / 60, seconds / epochs));
        }
        ObjectNode json = Json.object();
        json.set("rows", rows);
        ObjectNode attacks = json.putObject("attacks");
        attacks.set("pgd", Json.toTree(pgd.settings()));
        attacks.set("sea", Json.toTree(sea.eps(EPS8).settings()));
        json.set("provenance", Provenance.of("compare").dataset("eval", ds.name(), ds.size(), ds.contentHash()).toJson());
        Json.write(out.resolve("compare.json"), json);
        String table = md + String.format("%nAttacks: L-inf PGD with %d steps of 2.5*eps/%d, random start, %d restart(s); SEA: the "
                + "four SEA losses (masked CE, balanced CE, JS, masked margin), %d steps each, worst case per image. "
                + "Data: %s (%d images).%n", steps, steps, restarts, steps, ds.name(), ds.size());
        AtomicFiles.writeString(out.resolve("compare.md"), table);
        System.out.print(table);
        System.out.println("wrote " + out.resolve("compare.md") + " and compare.json");
        return 0;
    }

    /** One-line recipe description from a stored configuration, e.g. "pgd-at linf 8/255 x3". */
    static String describe(JsonNode recipe) {
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
