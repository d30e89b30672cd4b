package org.robustseg.cli.robustness;

import org.robustseg.cli.ConsoleProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.io.AtomicFiles;
import org.robustseg.metric.RobustnessComparison;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/**
 * {@code ./run compare ...}: one table of clean and robust mIoU and training cost, a row per
 * checkpoint. Robustness is measured with attacks stronger than any training attack: PGD with
 * more steps (10 by default, plus optional restarts) and the SEA-style ensemble of four losses.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare checkpoints: clean mIoU, PGD and SEA robustness, training time (compare.md, compare.json).")
public final class CompareCommand implements Callable<Integer> {
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

    @Override
    public Integer call() {
        RobustnessComparison.Settings settings = new RobustnessComparison.Settings(steps, restarts, seed, batch);
        SegDataset ds = DataSets.open(data, Split.parse(split));
        if (limit != null) {
            ds = DataSets.first(ds, limit);
        }
        List<RobustnessComparison.Row> rows = new ArrayList<>();
        for (Path path : checkpoints) {
            rows.add(RobustnessComparison.evaluate(Checkpoint.open(path), ds, settings, List.of(), ConsoleProgress.stderr()));
        }
        Json.write(out.resolve("compare.json"), RobustnessComparison.json(rows, settings, ds));
        String table = RobustnessComparison.markdown(rows, settings, ds);
        AtomicFiles.writeString(out.resolve("compare.md"), table);
        System.out.print(table);
        System.out.println("wrote " + out.resolve("compare.md") + " and compare.json");
        return 0;
    }
}
