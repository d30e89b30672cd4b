package org.robustseg.spark;

import org.robustseg.cli.synthesis.GenerateCommand;
import picocli.CommandLine.Command;

/** {@code ./run spark generate ... --data DIR ...}: generation for a data set's layouts, one Spark task per batch. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generation on Spark: the options of './run generate' (see './run generate --help'), one Spark task per "
                + "batch; the same NNNN_*.png files, metrics.json and grid.png in --out, which every executor must be able to "
                + "write (a shared file system). Without --statistics the driver fits the colour statistics once and the "
                + "executors read them from OUT/colour-statistics.json.")
public final class SparkGenerateCommand extends SparkTaskCommand<GenerateCommand.ImageOutcome> {
    @Override
    String name() {
        return "generate";
    }

    @Override
    DistributedJob.Factory<GenerateCommand.ImageOutcome> factory() {
        return args -> GenerateCommand.parse(args).job();
    }
}
