package org.robustseg.cli.options;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint FILE|RUN}, required, repeatable: the models a comparing command runs side
 * by side, in the order given. {@link LabelledCheckpoints} adds a name for each.
 */
public class Checkpoints {
    @Option(names = "--checkpoint", required = true,
            description = "Checkpoint file, run directory or imported network (model card, folder holding card.json, .pt beside "
                    + "its card); repeat to compare several (e.g. standard, then robust).")
    List<Path> checkpoints;

    public List<Path> paths() {
        return checkpoints;
    }
}
