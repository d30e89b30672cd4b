package org.robustseg.spark;

import org.robustseg.cli.synthesis.InpaintCommand;
import picocli.CommandLine.Command;

/** {@code ./run spark inpaint ... --data DIR ...}: data-set inpainting, one Spark task per batch. */
@Command(name = "inpaint", mixinStandardHelpOptions = true,
        description = "Data-set inpainting on Spark: the options of './run inpaint --data ...' (see './run inpaint --help'), one "
                + "Spark task per batch; the same NNNN_*.png files, metrics.json and grid.png in --out, which every executor "
                + "must be able to write (a shared file system).")
public final class SparkInpaintCommand extends SparkTaskCommand<InpaintCommand.ImageOutcome> {
    @Override
    String name() {
        return "inpaint";
    }

    @Override
    DistributedJob.Factory<InpaintCommand.ImageOutcome> factory() {
        return args -> InpaintCommand.parse(args).dataSetJob();
    }
}
