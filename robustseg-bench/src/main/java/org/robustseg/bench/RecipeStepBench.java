package org.robustseg.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.train.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time of one whole training step per recipe (crafting, forward, backward, SGD update, as the
 * Trainer runs it) at each recipe's default options, and its ratio to a standard step.
 */
@Command(name = "recipe-step", mixinStandardHelpOptions = true,
        description = "Median time of one training step per recipe, relative to standard training.")
public final class RecipeStepBench implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "pspnet-lite", description = "Architecture (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--recipes", defaultValue = "standard,pgd-at,sat,advprop,trades,fast-at", split = ",",
            description = "Recipes to time (default ${DEFAULT-VALUE}).")
    List<String> recipes;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed steps after warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        System.out.printf("model %s, batch %d, 64x64, load average %.2f, median of %d steps%n", model, batch,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), repeats);
        recipes.forEach(Recipe::parse); // unknown names fail before any timing
        double standard = Double.NaN;
        try (BenchOperations ops = new BenchOperations(model, batch, 64)) {
            for (String name : recipes) {
                Runnable step = ops.recipeStep(Recipe.parse(name));
                BenchOperations.timeMs(step, warmup);
                double ms = BenchOperations.summary(BenchOperations.timeMs(step, repeats))[0];
                if (Recipe.parse(name) == Recipe.STANDARD) {
                    standard = ms;
                }
                System.out.printf("%-9s median %7.1f ms  x%.2f standard%n", name, ms, ms / standard);
            }
        }
        return 0;
    }
}
