package org.robustseg.cli.options;

import java.nio.file.Path;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import picocli.CommandLine.Option;

/**
 * {@code --split NAME} (default val) of a {@code --data} directory. Two subclasses: {@link DataSet}
 * where {@code --data} is required, {@link DataSetMode} where it switches a command from one image
 * to a data set.
 */
public abstract class SplitChoice {
    @Option(names = "--split", defaultValue = "val", description = "Split (default ${DEFAULT-VALUE}).")
    String split;

    /** The --data directory (null when not given). */
    public abstract Path data();

    /** The --split value as given (parsed by {@link #split()}). */
    public String splitName() {
        return split;
    }

    private Split split() {
        return Split.parse(split);
    }

    /** The chosen split of --data. */
    public SegDataset open() {
        return DataSets.open(data(), split());
    }

    /** The first {@code count} images of the chosen split (all when null). */
    public SegDataset open(Integer count) {
        SegDataset ds = open();
        return count == null ? ds : DataSets.first(ds, count);
    }
}
