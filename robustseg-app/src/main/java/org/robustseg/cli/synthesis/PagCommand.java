package org.robustseg.cli.synthesis;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.ColourStatisticsSource;
import org.robustseg.cli.options.DataSet;
import org.robustseg.cli.options.GenerationParams;
import org.robustseg.cli.options.InpaintingOptions;
import org.robustseg.cli.options.LabelledCheckpoints;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import org.robustseg.cli.options.SeedImageChoice;
import org.robustseg.synth.Generation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run pag ...}: the perceptually-aligned-gradient comparison ({@link PagJob}). Each
 * checkpoint inpaints and generates on the same images; an independent judge scores the results.
 * One table (pag.md, pag.json) and picture grids (inpainting.png, generation.png).
 */
@Command(name = "pag", mixinStandardHelpOptions = true,
        description = "Compare checkpoints' inpainting and generation as judged by an independent model (pag.md, pag.json, grids).")
public final class PagCommand implements Callable<Integer> {
    @Mixin
    LabelledCheckpoints checkpoints;

    @Option(names = "--judge", required = true, description = "The judge: a checkpoint of another architecture, trained normally.")
    Path judgePath;

    @Mixin
    DataSet data;

    @Option(names = "--count", defaultValue = "" + PagJob.DEFAULT_COUNT, description = "Number of images (default ${DEFAULT-VALUE}).")
    int count;

    /** The inpainting half; its --smoothing and --tv apply to the generation half too. */
    @Mixin
    InpaintingOptions inpainting;

    @Option(names = "--no-generation", description = "Skip the generation half.")
    boolean noGeneration;

    @Option(names = "--no-inpainting", description = "Skip the inpainting half.")
    boolean noInpainting;

    @Mixin
    SeedImageChoice seedImage;

    @Option(names = "--gen-eps", defaultValue = "" + Generation.DEFAULT_EPS, description = "Generation ball radius (default ${DEFAULT-VALUE}).")
    float genEps;

    @Option(names = "--gen-steps", defaultValue = "" + Generation.DEFAULT_STEPS, description = "Generation iterations (default ${DEFAULT-VALUE}).")
    int genSteps;

    @Option(names = "--gen-step-size", defaultValue = "" + Generation.DEFAULT_STEP_SIZE,
            description = "Generation step (default ${DEFAULT-VALUE}).")
    float genStepSize;

    @Mixin
    ColourStatisticsSource statistics;

    @Mixin
    Seed seed;

    @Mixin
    BatchSize batch;

    @Option(names = "--grid-rows", defaultValue = "" + PagJob.DEFAULT_GRID_ROWS, description = "Rows of the picture grids (default ${DEFAULT-VALUE}).")
    int gridRows;

    @Option(names = "--images", description = "Also write every result as files: DIR/inpaint/LABEL/NNNN_{original,mask,masked,"
            + "result,labels}.png and DIR/generate/LABEL/NNNN_{seed,result,labels}.png.")
    Path images;

    @Mixin
    OutputDirectory out;

    /** The job of {@code ./run pag ARGS}, not run: how a cluster node rebuilds its driver's job. */
    public static PagJob parse(String... args) {
        PagCommand command = new PagCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command.job();
    }

    /** The job these options describe (not run). */
    public PagJob job() {
        GenerationParams generation = noGeneration ? null : new GenerationParams(seedImage.name(), Generation.DEFAULT_NORM, genEps,
                genSteps, genStepSize, inpainting.shaping().smoothing(), inpainting.shaping().tv());
        return new PagJob(checkpoints.paths(), checkpoints.labels(), judgePath, data.data(), data.splitName(), count,
                inpainting.hole(), inpainting.params(), !noInpainting, generation, statistics.file(), seed.get(), batch.get(), gridRows,
                images, out.dir());
    }

    @Override
    public Integer call() {
        PagJob.Result result = job().run();
        System.out.print(result.markdown());
        System.out.println("wrote " + out.resolve("pag.md") + ", pag.json" + (noInpainting ? "" : ", inpainting.png")
                + (noGeneration ? "" : ", generation.png"));
        return 0;
    }
}
