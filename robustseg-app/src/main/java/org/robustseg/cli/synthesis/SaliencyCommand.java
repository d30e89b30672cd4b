package org.robustseg.cli.synthesis;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.DataSetMode;
import org.robustseg.cli.options.LabelledCheckpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run saliency ...}: input-gradient maps of one image or of the first images of a split,
 * for one or more checkpoints side by side, and how much of the gradient energy falls on objects
 * and on their outlines ({@link SaliencyJob}). A robust net's maps should follow object shapes; a
 * standard net's look like noise — the concentration figures say how far that holds.
 */
@Command(name = "saliency", mixinStandardHelpOptions = true,
        description = "Input-gradient saliency maps (heat-map PNGs) and their concentration on objects and outlines.")
public final class SaliencyCommand implements Callable<Integer> {
    @Mixin
    LabelledCheckpoints checkpoints;

    @Option(names = "--image", description = "One image (PNG/JPEG, RGB).")
    Path image;

    @Option(names = "--labels", description = "With --image: its label map (palette or gray PNG), for the alignment figures.")
    Path labels;

    /** Data-set mode: the true label maps give the alignment figures. */
    @Mixin
    DataSetMode data;

    @Option(names = "--count", defaultValue = "" + SaliencyJob.DEFAULT_COUNT,
            description = "Data-set mode: number of images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--class", description = "Also map the score of this class (name or id) over the pixels predicted as it.")
    String cls;

    @Option(names = "--score", defaultValue = SaliencyJob.DEFAULT_SCORE,
            description = "Per-pixel score: logit or log-softmax (default ${DEFAULT-VALUE}).")
    String score;

    @Option(names = "--percentile", defaultValue = "" + SaliencyJob.DEFAULT_PERCENTILE,
            description = "Heat maps saturate at this percentile of each map (default ${DEFAULT-VALUE}).")
    double percentile;

    @Mixin
    BatchSize batch;

    @Option(names = "--grid-rows", defaultValue = "" + SaliencyJob.DEFAULT_GRID_ROWS,
            description = "Data-set mode: rows of grid.png (default ${DEFAULT-VALUE}).")
    int gridRows;

    /** Not {@link org.robustseg.cli.options.OutputDirectory}: optional with --image. */
    @Option(names = "--out", description = "Output directory (required with --data; with --image default: the image's folder).")
    Path out;

    /** The job these options describe (not run). */
    public SaliencyJob job() {
        return new SaliencyJob(checkpoints.paths(), checkpoints.labels(), image, labels, data.data(), data.splitName(),
                count, cls, score, percentile, batch.get(), gridRows, out);
    }

    /** The job of {@code ./run saliency ARGS}, not run: how a cluster node rebuilds its driver's job. */
    public static SaliencyJob parse(String... args) {
        SaliencyCommand command = new SaliencyCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command.job();
    }

    @Override
    public Integer call() {
        SaliencyJob.Outcome outcome = job().run();
        System.out.print(outcome.table());
        String pictures = data.given() ? ", grid.png and NNNN_saliency.png"
                : " and " + outcome.jsonFile().getFileName().toString().replace("_saliency.json", "_saliency.png");
        System.out.println("wrote " + outcome.jsonFile() + pictures);
        return 0;
    }
}
