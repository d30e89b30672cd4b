package org.robustseg.cli.training;

import java.util.concurrent.Callable;
import org.robustseg.data.FashionScenes;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run data ...}: builds data sets. */
@Command(name = "data", description = "Build data sets.", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.FashionScenesCommand.class})
public final class DataCommand {

    @Command(name = "fashion-scenes", mixinStandardHelpOptions = true,
            description = "Build FashionScenes (64x64 scenes of Fashion-MNIST garments) in Pascal VOC layout.")
    static final class FashionScenesCommand implements Callable<Integer> {
        @Mixin
        OutputDirectory out;

        @Option(names = "--train", defaultValue = "4000", description = "Training scenes (default ${DEFAULT-VALUE}).")
        int train;

        @Option(names = "--val", defaultValue = "500", description = "Validation scenes (default ${DEFAULT-VALUE}).")
        int val;

        @Option(names = "--test", defaultValue = "0", description = "Test scenes (default ${DEFAULT-VALUE}).")
        int test;

        @Mixin
        Seed seed;

        @Override
        public Integer call() {
            if (train < 0 || val < 0 || test < 0) {
                throw new IllegalArgumentException("--train, --val and --test must be >= 0");
            }
            long t0 = System.nanoTime();
            FashionScenes.builder().trainSize(train).valSize(val).testSize(test).seed(seed.get()).build().write(out.dir());
            System.out.printf("FashionScenes written to %s (%d train, %d val, %d test) in %.1f s%n",
                    out.dir(), train, val, test, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }
}
