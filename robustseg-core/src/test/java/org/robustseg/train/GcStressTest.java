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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.robustseg.engine.GcChurn;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SeededDropout;
import org.robustseg.model.SegmentationModel;

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

    /** One step's gradients (weights, then input) on {@code model}. */
    private static float[] gradients(SegmentationModel model, Recipe recipe, boolean churn) {
        RecipeConfig rc = options(recipe);
        TrainConfig config = TrainConfig.builder(model.name()).recipe(rc).batchSize(4).seed(3).build();
        TrainingRecipe r = Recipes.create(rc);
        SplittableRandom rng = new SplittableRandom(5);
        float[] pixels = new float[(int) INPUT.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
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
