package org.robustseg.cli.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR} (required) and {@code --split}: the data a command evaluates on. */
public final class DataSet extends SplitChoice {
    @Option(names = "--data", required = true, description = "Data directory (VOC or Cityscapes layout).")
    Path data;

    @Override
    public Path data() {
        return data;
    }
}
