package org.robustseg.spark;

import org.robustseg.cli.synthesis.SaliencyCommand;
import org.robustseg.cli.synthesis.SaliencyJob;
import picocli.CommandLine.Command;

/** {@code ./run spark saliency ... --data DIR ...}: saliency maps of a data set, one Spark task per batch. */
@Command(name = "saliency", mixinStandardHelpOptions = true,
        description = "Saliency on Spark: the options of './run saliency --data ...' (see './run saliency --help'), one Spark task "
                + "per batch (every checkpoint loaded once per executor); the same NNNN_saliency.png files, saliency.json and "
                + "grid.png in --out, which every executor must be able to write (a shared file system).")
public final class SparkSaliencyCommand extends SparkTaskCommand<SaliencyJob.ImageOutcome> {
    @Override
    String name() {
        return "saliency";
    }

    @Override
    DistributedJob.Factory<SaliencyJob.ImageOutcome> factory() {
        return args -> SaliencyCommand.parse(args).job();
    }
}
