package org.robustseg.app;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;
import org.robustseg.train.Augmentation;
import org.robustseg.train.Optimizer;
import org.robustseg.train.RecipeConfig;
import org.robustseg.train.Recipes;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.TrainingRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time of one whole training step per recipe (crafting, forward, backward, SGD update, as the
 * Trainer runs it) at each recipe's default options, and its ratio to a standard step.
 */
@Command(name = "recipe-step", mixinStandardHelpOptions = true,
        description = "Median time of one training step per recipe, relative to standard training.")
final class RecipeStepBench implements Callable<Integer> {
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
        double standard = Double.NaN;
        for (String name : recipes) {
            RecipeConfig options = RecipeConfig.of(name);
            TrainingRecipe recipe = Recipes.create(options);
            TrainConfig config = new TrainConfig(model, options, 1, batch, 0, "sgd", 0.01f, 0.9f, 1e-4f, 0.9f, 0.4f,
                    Augmentation.none());
            double ms = time(recipe, config);
            if (name.equals(RecipeConfig.STANDARD)) {
                standard = ms;
            }
            System.out.printf("%-9s median %7.1f ms  x%.2f standard%n", name, ms, ms / standard);
        }
        return 0;
    }

    private double time(TrainingRecipe recipe, TrainConfig config) {
        ModelSpec spec = new ModelSpec(model, 11, recipe.dualBatchNorm());
        try (SegmentationModel m = ModelZoo.create(spec, 0); NDManager outer = m.manager().newSubManager()) {
            NDArray x = outer.randomUniform(0, 1, new Shape(batch, 3, 64, 64));
            NDArray y = outer.randomInteger(0, 11, new Shape(batch, 64, 64), DataType.INT64);
            List<Parameter> params = new ArrayList<>();
            for (Pair<String, Parameter> p : m.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params.add(p.getValue());
                }
            }
            Optimizer sgd = Optimizer.named("sgd", 0.9f, 1e-4f);
            Engine engine = Engine.getEngine("PyTorch");
            double[] t = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                long t0 = System.nanoTime();
                try (NDManager s = outer.newSubManager()) {
                    TrainingRecipe.Inputs in = recipe.prepare(m, x, y, s);
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        gc.backward(recipe.loss(m, in, config).total());
                    }
                    sgd.update(params, 0.001f);
                }
                if (i >= warmup) {
                    t[i - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(t);
            return t[repeats / 2];
        }
    }
}
