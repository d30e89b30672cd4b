package org.robustseg.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.Norm;
import org.robustseg.interop.ImportedModels;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.train.Augmentation;
import org.robustseg.train.Optimizer;
import org.robustseg.train.OptimizerKind;
import org.robustseg.train.Recipe;
import org.robustseg.train.RecipeConfig;
import org.robustseg.train.Recipes;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.TrainingRecipe;

/**
 * The benchmarked operations on one model and a random batch, each run exactly as robustseg
 * runs it: inference through {@link SegmentationModel#logits}, an attack step through the
 * attacks' {@link InputOptimizer}, training steps through the {@link TrainingRecipe} the
 * Trainer uses (crafting, forward, backward, SGD update). The PyTorch reference
 * (bench/reference/reference.py) implements the same four under the same names.
 */
public final class BenchOperations implements AutoCloseable {
    static final String FORWARD = "forward";
    static final String ATTACK_STEP = "attack-step";
    static final String TRAIN_STEP = "train-step";
    static final String PGD_AT_STEP = "pgd-at-step";
    static final List<String> ALL = List.of(FORWARD, ATTACK_STEP, TRAIN_STEP, PGD_AT_STEP);

    private final String model;
    /** Builds the benchmarked network (with dual BatchNorm when true): the zoo's, or an imported one loaded anew. */
    private final Function<Boolean, SegmentationModel> factory;
    private final int batch;
    private final Map<String, Runnable> operations = new LinkedHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final NDArray x;
    private final NDArray y;
    private final NDManager outer;
    private final SegmentationModel eval;

    BenchOperations(String model, int batch, int size) {
        this(model, batch, size, dual -> ModelZoo.create(new ModelSpec(model, 11, dual), 0));
    }

    /** The operations on an imported TorchScript network (each training step's model is its own copy). */
    static BenchOperations imported(ImportedModels.Source source, int batch, int size) {
        return new BenchOperations(ModelSpec.TORCHSCRIPT, batch, size, dual -> ImportedModels.load(source));
    }

    private BenchOperations(String model, int batch, int size, Function<Boolean, SegmentationModel> factory) {
        this.model = model;
        this.factory = factory;
        this.batch = batch;
        eval = factory.apply(false);
        resources.add(eval);
        outer = eval.manager().newSubManager();
        resources.add(0, outer);
        x = outer.randomUniform(0, 1, new Shape(batch, 3, size, size));
        y = outer.randomInteger(0, eval.numClasses(), new Shape(batch, size, size), DataType.INT64);
        // Every operation borrows the batch into its own sub-manager (tempAttach), so that the
        // intermediates it creates (DJL attaches them to their input's manager) die with it, as
        // in the Trainer's and the attacks' per-step managers.
        operations.put(FORWARD, () -> {
            try (NDManager s = outer.newSubManager()) {
                x.tempAttach(s);
                eval.logits(x);
            }
        });
        // One iteration of the loop every attack runs: input gradient, sign step, projection.
        InputOptimizer oneStep = Attacks.pgd(Norm.LINF).eps(8 / 255f).steps(1).randomStart(false).optimizer()
                .keepBest(false).evaluateLast(false);
        operations.put(ATTACK_STEP, () -> {
            try (NDManager s = outer.newSubManager()) {
                x.tempAttach(s);
                y.tempAttach(s);
                oneStep.run(eval, x, y).xBest().attach(s);
            }
        });
        // The training steps build their own models only when asked for (see operation).
    }

    /** One Trainer step of {@code recipe} at its default options (own model, so updates don't touch the others). */
    Runnable recipeStep(Recipe recipeKind) {
        RecipeConfig options = RecipeConfig.of(recipeKind);
        TrainingRecipe recipe = Recipes.create(options);
        TrainConfig config = TrainConfig.builder(model).recipe(options).epochs(1).batchSize(batch).learningRate(0.001f)
                .augmentation(Augmentation.none()).build();
        SegmentationModel m = factory.apply(recipe.dualBatchNorm());
        NDManager own = m.manager().newSubManager();
        resources.add(0, own);
        resources.add(m);
        NDArray xs = x.duplicate();
        NDArray ys = y.duplicate();
        xs.attach(own);
        ys.attach(own);
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : m.block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                params.add(p.getValue());
            }
        }
        Optimizer sgd = OptimizerKind.SGD.create(0.9f, 1e-4f);
        Engine engine = Engine.getEngine("PyTorch");
        return () -> {
            try (NDManager s = own.newSubManager()) {
                xs.tempAttach(s);
                ys.tempAttach(s);
                TrainingRecipe.Inputs in = recipe.prepare(m, xs, ys, s, 0L);
                try (GradientCollector gc = engine.newGradientCollector()) {
                    gc.backward(recipe.loss(m, in, config).total());
                }
                sgd.update(params, 0.001f);
            }
        };
    }

    Runnable operation(String name) {
        checkName(name);
        return operations.computeIfAbsent(name,
                n -> recipeStep(n.equals(TRAIN_STEP) ? Recipe.STANDARD : Recipe.PGD_AT));
    }

    static void checkName(String name) {
        if (!ALL.contains(name)) {
            throw new IllegalArgumentException("--operations: unknown operation '" + name + "' (known: " + String.join(", ", ALL) + ")");
        }
    }

    /** Milliseconds of each of {@code repeats} runs of {@code op}. */
    static double[] timeMs(Runnable op, int repeats) {
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return t;
    }

    /** Median, 10th and 90th percentile. */
    static double[] summary(double[] ms) {
        double[] t = ms.clone();
        Arrays.sort(t);
        int n = t.length;
        return new double[] {n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t[n / 10], t[Math.min(n - 1, n * 9 / 10)]};
    }

    /** Times of an n×n fp32 matrix product in this engine: the machine's attainable peak for dense BLAS work. */
    static double[] matmulMs(int n, int repeats) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.randomUniform(0, 1, new Shape(n, n));
            NDArray b = m.randomUniform(0, 1, new Shape(n, n));
            a.matMul(b).close();
            return timeMs(() -> a.matMul(b).close(), repeats);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
