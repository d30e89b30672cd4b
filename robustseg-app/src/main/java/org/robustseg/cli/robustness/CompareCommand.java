package org.robustseg.cli.robustness;

import org.robustseg.cli.ConsoleProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.attack.Eps;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegDataset;
import org.robustseg.io.AtomicFiles;
import org.robustseg.metric.RobustnessComparison;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.Checkpoints;
import org.robustseg.cli.options.DataSet;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/**
 * {@code ./run compare ...}: one table of clean and robust mIoU and training cost, a row per
 * checkpoint. Robustness is measured with attacks stronger than any training attack: PGD with
 * more steps (10 by default, plus optional restarts), the PGD ensemble over SEA's losses
 * ({@code sea-pgd}) and SEA as published (APGD-300 on four losses, {@code sea}), each at every
 * {@code --eps}; the costly attacks (SEA, APGD, Square) on {@code --subset} evenly spaced images when the full set costs too much.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare checkpoints: clean mIoU, mIoU under PGD-10, sea-pgd and SEA-300 (or --attacks), per-image and "
                + "per-object figures, times, training cost (compare.md, compare.json).")
public final class CompareCommand implements Callable<Integer> {
    /** The costly attacks' default subset: SEA's 300 APGD steps on four losses cost about 120 PGD-10 runs per image. */
    public static final int DEFAULT_SUBSET = 100;

    @Mixin
    Checkpoints checkpoints;

    @Mixin
    DataSet data;

    @Option(names = "--attacks", defaultValue = "pgd,sea-pgd,sea", split = ",",
            description = "Attack columns: pgd (PGD-10), sea-pgd (the PGD ensemble over SEA's losses), sea (SEA as published, "
                    + "APGD-300 on four losses), apgd or apgd-LOSS (APGD-100 on one loss: ce, masked-ce, balanced-ce, js, "
                    + "masked-spherical, masked-margin), square (black box), fgsm, bim, segpgd (default ${DEFAULT-VALUE}).")
    List<String> attacks;

    @Option(names = "--eps", defaultValue = "4/255,8/255", description = "L-inf budgets of every attack column, comma-separated; "
            + "fractions allowed (default ${DEFAULT-VALUE}).")
    String eps;

    @Option(names = "--steps", defaultValue = "10", description = "Iterations of PGD and of each sea-pgd member (default ${DEFAULT-VALUE}; "
            + "SEA, APGD and Square keep their published budgets).")
    int steps;

    @Option(names = "--restarts", defaultValue = "1", description = "PGD restarts (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = {"--subset", "--sea-images"}, defaultValue = "" + DEFAULT_SUBSET,
            description = "Run the costly attacks (sea, apgd*, square) on this many evenly spaced images (image floor(i*N/n) of N); "
                    + "the cheap ones run on all, and the table adds every column's figures on the subset; 0: all images "
                    + "(default ${DEFAULT-VALUE}).")
    int subset;

    @Option(names = "--sea-steps", defaultValue = "300", description = "APGD steps of each SEA member (default ${DEFAULT-VALUE}, "
            + "as published; fewer make a weaker, cheaper SEA-n, for smoke runs).")
    int seaSteps;

    @Option(names = "--queries", defaultValue = "1000", description = "Forward passes per image of the square column (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--masking-check", description = "Also run the gradient-masking checks that need their own attacks "
            + "(unbounded PGD, PGD with 4x the steps) on the first --batch images of the subset; the flags from the figures "
            + "(Square vs the white-box columns, accuracy vs eps) are always computed.")
    boolean maskingCheck;

    @Option(names = "--limit", description = "Use only the first N images.")
    Integer limit;

    @Mixin
    BatchSize batch;

    @Mixin
    Seed seed;

    @Mixin
    OutputDirectory out;

    @Override
    public Integer call() {
        List<String> names = attacks.stream().map(a -> a.trim().toLowerCase(java.util.Locale.ROOT)).toList();
        RobustnessComparison.Settings settings = new RobustnessComparison.Settings(steps, restarts, seed.get(), batch.get(), names,
                Eps.parse(eps, Norm.LINF), subset, seaSteps, queries, maskingCheck);
        SegDataset ds = data.open(limit);
        List<RobustnessComparison.Row> rows = new ArrayList<>();
        List<Checkpoint> ckpts = new ArrayList<>();
        for (Path path : checkpoints.paths()) { // all opened first: a bad one fails before any work
            ckpts.add(Checkpoint.open(path).requireGradients("compare (PGD and SEA)"));
        }
        for (Checkpoint ckpt : ckpts) {
            rows.add(RobustnessComparison.evaluate(ckpt, ds, settings, List.of(), ConsoleProgress.stderr()));
        }
        Json.write(out.resolve("compare.json"), RobustnessComparison.json(rows, settings, ds));
        String table = RobustnessComparison.markdown(rows, settings, ds);
        AtomicFiles.writeString(out.resolve("compare.md"), table);
        System.out.print(table);
        System.out.println("wrote " + out.resolve("compare.md") + " and compare.json");
        return 0;
    }
}
