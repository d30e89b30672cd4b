package org.robustseg.cli.options;

import java.util.List;
import org.robustseg.provenance.Checkpoint;
import picocli.CommandLine.Option;

/** {@link Checkpoints} with {@code --label NAME} per checkpoint: the names in tables, grids and folders. */
public final class LabelledCheckpoints extends Checkpoints {
    @Option(names = "--label", description = "Name of each checkpoint in tables and folders, in --checkpoint order "
            + "(default: run name and epoch).")
    List<String> labels;

    /** The --label values (null: none given). */
    public List<String> labels() {
        return labels;
    }

    /** Refuses a label list that does not give one name per checkpoint (null: no labels given). */
    public static void checkLabels(int checkpoints, List<String> labels) {
        if (labels != null && labels.size() != checkpoints) {
            throw new IllegalArgumentException("give one --label per --checkpoint (" + checkpoints + " checkpoints, "
                    + labels.size() + " labels)");
        }
    }

    /** The name of checkpoint {@code c}: its label if given, else {@link Checkpoint#label()}. */
    public static String name(Checkpoint ckpt, List<String> labels, int c) {
        return labels != null ? labels.get(c) : ckpt.label();
    }
}
