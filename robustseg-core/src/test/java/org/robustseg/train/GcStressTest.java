package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.robustseg.engine.GcChurn;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SeededDropout;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Mask;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;

/**
 * A training step's weight and input gradients must not depend on when the garbage collector
 * runs: every architecture (dropout on, training BatchNorm) and every recipe's loss, computed
 * twice from the same weights and batch, once with a collection and allocator churn between the
 * forward and the backward pass. Any array the backward pass needs whose memory Java owns and has
 * freed (see {@link OwnedArrays}) turns into 1e30 here.
 */
class GcStressTest {
    private static final int CLASSES = 11;
    private static final Shape INPUT = new Shape(4, 3, 32, 32);

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        // the ResNet-50 presets are built from the same blocks as the lite ones (Presets), at 20× the cost
        for (String model : ModelZoo.names()) {
            if (model.endsWith("-lite")) {
                cases.add(Arguments.of(model, Recipe.STANDARD));
            }
        }
        for (Recipe r : Recipe.values()) {
            if (r != Recipe.STANDARD) {
                cases.add(Arguments.of("pspnet-lite", r));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void gradientsDoNotDependOnGarbageCollection(String model, Recipe recipe) {
        TrainingRecipe r = Recipes.create(options(recipe));
        float[] quiet;
        float[] churned;
        // two models with the same weights: a step moves BatchNorm statistics, which the attacks of the recipes read
        try (SegmentationModel m = ModelZoo.create(new ModelSpec(model, CLASSES, r.dualBatchNorm()), 9)) {
            quiet = gradients(m, recipe, false);
        }
        try (SegmentationModel m = ModelZoo.create(new ModelSpec(model, CLASSES, r.dualBatchNorm()), 9)) {
            churned = gradients(m, recipe, true);
        }
        boolean finite = true;
        for (float v : quiet) {
            finite &= Float.isFinite(v);
        }
        assertTrue(finite, "gradients without churn are not finite");
        assertArrayEquals(quiet, churned, "a garbage collection between forward and backward changed the gradients");
    }

    /** All weight gradients, then the input gradient, of one step of {@code recipe} on a fixed batch. */
    private static RecipeConfig options(Recipe recipe) {
        return recipe.adversarial()
                ? RecipeConfig.builder(recipe).eps(8 / 255f).steps(recipe == Recipe.FAST_AT ? 1 : 2).build() : RecipeConfig.of(recipe);
    }

    static List<String> objectives() {
        List<String> names = new ArrayList<>(Objectives.NAMES);
        names.addAll(List.of("total-variation", "distance-to-start", "kl"));
        return names;
    }

    /** The input gradient of every objective of the loop (attacks, synthesis), BatchNorm in eval statistics. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("objectives")
    void objectiveGradientsDoNotDependOnGarbageCollection(String name) {
        float[] quiet = inputGradient(evalModel, name, false);
        float[] churned = inputGradient(evalModel, name, true);
        assertArrayEquals(quiet, churned, "a garbage collection between forward and backward changed the input gradient");
    }

    /** One model for the objectives: in eval statistics nothing in it changes between calls. */
    private static SegmentationModel evalModel;

    @BeforeAll
    static void evalModel() {
        evalModel = ModelZoo.create(new ModelSpec("pspnet-lite", CLASSES), 9);
    }

    @AfterAll
    static void closeEvalModel() {
        evalModel.close();
    }

    private static float[] inputGradient(SegmentationModel model, String name, boolean churn) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x0 = OwnedArrays.of(m, uniform(new SplittableRandom(5), (int) INPUT.size()), INPUT);
            NDArray target = model.logits(x0).argMax(1);
            Objective objective = switch (name) {
                case "total-variation" -> Objectives.totalVariation();
                case "distance-to-start" -> Objectives.distanceToStart(Mask.box(4, 4, 16, 16));
                case "kl" -> Objectives.klDivergenceFrom(OwnedArrays.mul(model.logits(x0), 0.5));
                default -> Objectives.parse(name);
            };
            NDArray x = OwnedArrays.mul(x0, 0.9).add(0.05);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = objective.perSample(Objective.Context.of(x, x0, model.logits(x), target)).sum();
                if (churn) {
                    GcChurn.now();
                }
                gc.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble();
        }
        return v;
    }

    /** One step's gradients (weights, then input) on {@code model}. */
    private static float[] gradients(SegmentationModel model, Recipe recipe, boolean churn) {
        RecipeConfig rc = options(recipe);
        TrainConfig config = TrainConfig.builder(model.name()).recipe(rc).batchSize(4).seed(3).build();
        TrainingRecipe r = Recipes.create(rc);
        SplittableRandom rng = new SplittableRandom(5);
        float[] pixels = uniform(rng, (int) INPUT.size());
        int[] labels = new int[4 * 32 * 32];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(CLASSES);
        }
        try (NDManager m = model.manager().newSubManager()) {
            SeededDropout.reseed(model.block(), 4);
            NDArray x = OwnedArrays.of(m, pixels, INPUT);
            NDArray y = OwnedArrays.of(m, labels, new Shape(4, 32, 32)).toType(DataType.INT64, false);
            TrainingRecipe.Inputs in = r.prepare(model, x, y, m, 11);
            in.clean().setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = r.loss(model, in, config).total();
                if (churn) {
                    GcChurn.now();
                }
                gc.backward(loss);
            }
            List<float[]> parts = new ArrayList<>();
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    parts.add(p.getValue().getArray().getGradient().toFloatArray());
                }
            }
            if (in.clean().hasGradient()) {
                parts.add(in.clean().getGradient().toFloatArray());
            }
            int n = parts.stream().mapToInt(a -> a.length).sum();
            float[] all = new float[n];
            int at = 0;
            for (float[] a : parts) {
                System.arraycopy(a, 0, all, at, a.length);
                at += a.length;
            }
            return all;
        }
    }
}
