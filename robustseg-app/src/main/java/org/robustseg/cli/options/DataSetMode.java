package org.robustseg.cli.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --data DIR} (optional) and {@code --split}: given, a command works on the first images of
 * a split instead of on one image file.
 */
public final class DataSetMode extends SplitChoice {
    @Option(names = "--data", description = "Data-set mode: data directory (VOC or Cityscapes layout).")
    Path data;

    @Override
    public Path data() {
        return data;
    }

    public boolean given() {
        return data != null;
    }
}
