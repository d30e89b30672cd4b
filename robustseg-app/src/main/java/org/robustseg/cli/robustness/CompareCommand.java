package org.robustseg.cli.robustness;

import org.robustseg.cli.ConsoleProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
 * more steps (10 by default, plus optional restarts) and the SEA-style ensemble of four losses.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare checkpoints: clean mIoU, PGD and SEA robustness, training time (compare.md, compare.json).")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    Checkpoints checkpoints;

    @Mixin
    DataSet data;

    @Option(names = "--steps", defaultValue = "10", description = "Iterations of PGD and of each SEA member (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--restarts", defaultValue = "1", description = "PGD restarts (default ${DEFAULT-VALUE}).")
    int restarts;

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
        RobustnessComparison.Settings settings = new RobustnessComparison.Settings(steps, restarts, seed.get(), batch.get());
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
