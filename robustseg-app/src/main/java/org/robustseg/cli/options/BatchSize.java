package org.robustseg.cli.options;

import picocli.CommandLine.Option;

/**
 * {@code --batch N}: images per forward/backward pass. The default is 16 unless a command passes
 * its own ({@code new BatchSize(32)}: picocli shows a mixin field's initial value as its default).
 */
public final class BatchSize {
    /** The default of most commands: fits a 2-core machine's memory with the lite nets at 64x64. */
    public static final int DEFAULT = 16;

    @Option(names = "--batch", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    public BatchSize() {
        this(DEFAULT);
    }

    public BatchSize(int defaultBatch) {
        this.batch = defaultBatch;
    }

    public int get() {
        return batch;
    }
}
