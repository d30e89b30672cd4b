package org.robustseg.cli.options;

import java.nio.file.Path;
import org.robustseg.provenance.Checkpoint;
import picocli.CommandLine.Option;

/** {@code --checkpoint FILE|RUN}, required, once: the model a single-model command uses. */
public final class CheckpointFile {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory (its final checkpoint), or an imported network: "
            + "its model card, a folder holding card.json, or the .pt/.onnx beside its card.")
    Path checkpoint;

    public Checkpoint open() {
        return Checkpoint.open(checkpoint);
    }
}
