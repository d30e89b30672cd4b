package org.robustseg.spark;

import org.robustseg.cli.synthesis.PagCommand;
import org.robustseg.cli.synthesis.PagJob;
import picocli.CommandLine.Command;

/** {@code ./run spark pag ...}: the PAG comparison, one Spark task per (baselines | model's inpainting | model's generation, batch). */
@Command(name = "pag", mixinStandardHelpOptions = true,
        description = "PAG scoring on Spark: the options of './run pag' (see './run pag --help'), one Spark task per part and "
                + "batch (the judge and each checkpoint loaded once per executor); the same pag.json, pag.md, inpainting.png, "
                + "generation.png (and --images files) in --out, which every executor must be able to write (a shared file system).")
public final class SparkPagCommand extends SparkTaskCommand<PagJob.TaskOutcome> {
    @Override
    String name() {
        return "pag";
    }

    @Override
    DistributedJob.Factory<PagJob.TaskOutcome> factory() {
        return args -> PagCommand.parse(args).job();
    }
}
