package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.PixelCrossEntropy;
import org.robustseg.provenance.Checkpoint;

/** The adversarial training recipes: what they train on, their losses, determinism and options. */
class RecipesTest {
    @TempDir
    static Path tmp;
    static SegDataset train;

    @BeforeAll
    static void data() {
        FashionScenes.builder().trainSize(16).valSize(4).seed(4).build().write(tmp.resolve("data"));
        train = DataSets.inMemory(DataSets.open(tmp.resolve("data"), Split.TRAIN));
    }

    private static TrainConfig config(RecipeConfig recipe, int epochs) {
        return new TrainConfig("pspnet-lite", recipe, epochs, 8, 5, "sgd", 0.05f, 0.9f, 1e-4f, 0.9f, 0.4f, Augmentation.none());
    }

    /** Input-independent helper: the gradients of all trainable parameters of a loss, flattened. */
    private static float[] parameterGradient(SegmentationModel model, java.util.function.Supplier<NDArray> loss) {
        List<Parameter> params = Trainer.trainableParameters(model);
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(loss.get());
        }
        List<Float> all = new ArrayList<>();
        for (Parameter p : params) {
            try (NDArray g = p.getArray().getGradient()) {
                for (float v : g.toFloatArray()) {
                    all.add(v);
                }
                g.subi(g); // zero for the next call (DJL accumulates)
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void pgdAtTrainsOnTheAttackedBatchWhoseLossIsHigher() {
        RecipeConfig rc = RecipeConfig.of("pgd-at", "linf", 8 / 255f, 3, null, null, null);
        TrainingRecipe recipe = Recipes.create(rc);
        TrainConfig tc = config(rc, 1);
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 1);
             NDManager m = model.manager().newSubManager()) {
            Batch b = BatchLoader.sequential(train, 8).iterator().next();
            NDArray x = b.images(m);
            NDArray y = b.labels(m);
            TrainingRecipe.Inputs in = recipe.prepare(model, x, y, m, 7);
            float clean = PixelCrossEntropy.mean(model.logits(x), y).getFloat();
            float adv = PixelCrossEntropy.mean(model.logits(in.adversarial()), y).getFloat();
            assertTrue(adv > clean, "attacked loss " + adv + " should exceed clean " + clean);
            assertTrue(in.adversarial().sub(x).abs().max().getFloat() <= 8 / 255f + 1e-6);

            // the recipe's gradient is the standard gradient on the adversarial batch, not on the clean one
            // (dropout is random per forward, so compare with dropout-free heads via equal engine seeds)
            Engine.getEngine("PyTorch").setRandomSeed(3);
            float[] viaRecipe = parameterGradient(model, () -> recipe.loss(model, in, tc).total());
            Engine.getEngine("PyTorch").setRandomSeed(3);
            float[] onAdv = parameterGradient(model, () -> StandardRecipe.supervisedLoss(model, in.adversarial(), y, 0.4f));
            Engine.getEngine("PyTorch").setRandomSeed(3);
            float[] onClean = parameterGradient(model, () -> StandardRecipe.supervisedLoss(model, x, y, 0.4f));
            assertArrayEquals(onAdv, viaRecipe, 1e-6f);
            assertFalse(java.util.Arrays.equals(onClean, viaRecipe));
        }
    }

    @Test
    void tradesKlMatchesAnIndependentComputation() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] p = {1f, 2f, 0.5f, -1f};
            float[] q = {0f, 1f, 2f, 0f};
            // logits N=1, C=2, H=1, W=2
            NDArray lp = m.create(p, new Shape(1, 2, 1, 2));
            NDArray lq = m.create(q, new Shape(1, 2, 1, 2));
            float[] kl = TradesRecipe.pixelKl(lp, lq).toFloatArray();
            for (int px = 0; px < 2; px++) {
                double[] a = softmax(p[px], p[2 + px]);
                double[] b = softmax(q[px], q[2 + px]);
                double expected = a[0] * Math.log(a[0] / b[0]) + a[1] * Math.log(a[1] / b[1]);
                assertEquals(expected, kl[px], 1e-6);
            }
            NDArray labels = m.create(new long[] {255, 1}, new Shape(1, 1, 2));
            assertEquals(kl[1], TradesRecipe.perImageMean(TradesRecipe.pixelKl(lp, lq), labels).getFloat(), 1e-6);
        }
    }

    private static double[] softmax(double a, double b) {
        double ea = Math.exp(a);
        double eb = Math.exp(b);
        return new double[] {ea / (ea + eb), eb / (ea + eb)};
    }

    @Test
    void fastAtIsOneRandomStartFgsmStepAndPgdAtRunsItsSteps() {
        RecipeConfig fast = RecipeConfig.of("fast-at", null, null, null, null, null, null);
        assertEquals(1, fast.attackSteps());
        assertEquals(1.25f * 8 / 255f, fast.stepSize(), 1e-7);
        assertEquals(1, ((AdversarialRecipe) Recipes.create(fast)).attack(org.robustseg.optim.Objectives.crossEntropy(), true, 0)
                .iterations());
        RecipeConfig pgd = RecipeConfig.of("pgd-at", null, null, 5, null, null, null);
        assertEquals(5, ((AdversarialRecipe) Recipes.create(pgd)).attack(org.robustseg.optim.Objectives.crossEntropy(), true, 0)
                .iterations());
        RecipeConfig sat = RecipeConfig.of("sat", null, null, null, null, null, null);
        assertEquals(0.03f, sat.eps());
        assertEquals(0.01f, sat.stepSize());
        assertEquals(0.5f, sat.advShare());
    }

    private static byte[] weights(Path ckpt) throws java.io.IOException {
        try (InputStream in = Files.newInputStream(ckpt); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("parameters.bin")) {
                    return zip.readAllBytes();
                }
            }
        }
        throw new AssertionError("no parameters in " + ckpt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pgd-at", "sat", "trades", "fast-at"})
    void everyRecipeTrainsDeterministicallyAndResumes(String name) throws Exception {
        RecipeConfig rc = RecipeConfig.of(name, null, null, null, null, null, null);
        Path a = new Trainer(config(rc, 2), train, null).run(tmp.resolve(name + "-a"), RunMode.FRESH);
        Path b = new Trainer(config(rc, 1), train, null).run(tmp.resolve(name + "-b"), RunMode.FRESH);
        // killed in epoch 2 (2 steps per epoch), then resumed: ends bit-identical to the uninterrupted run a
        Path c = tmp.resolve(name + "-c");
        assertThrows(IllegalStateException.class,
                () -> new Trainer(config(rc, 2), train, null).progress(new Killer(3)).run(c, RunMode.FRESH));
        Path resumed = new Trainer(config(rc, 2), train, null).run(c, RunMode.RESUME);
        assertArrayEquals(weights(a), weights(resumed), name + ": resumed run differs");
        assertEquals(name, Checkpoint.open(a).meta().path("provenance").path("config").path("recipe").path("name").asText());
        assertTrue(Checkpoint.open(b).meta().path("history").get(0).path("losses").has("adv_acc"));
    }

    /** Throws after some steps, like a kill. */
    static final class Killer implements org.robustseg.ProgressListener {
        private int left;

        Killer(int steps) {
            left = steps;
        }

        @Override
        public void start(String task, long total) {}

        @Override
        public void advance(long steps, String status) {
            if (--left == 0) {
                throw new IllegalStateException("killed");
            }
        }

        @Override
        public void finish() {}
    }

    @Test
    void badOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("madry", null, null, null, null, null, null))
                .getMessage().contains("--recipe"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("pgd-at", null, -0.1f, null, null, null, null))
                .getMessage().contains("--eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("sat", null, null, null, null, null, 1.5f))
                .getMessage().contains("--adv-share"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("pgd-at", null, null, 0, null, null, null))
                .getMessage().contains("--attack-steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("pgd-at", null, null, null, null, 2f, null))
                .getMessage().contains("--beta"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecipeConfig.of("pgd-at", "l1", null, null, null, null, null))
                .getMessage().contains("l1"));
    }
}
