package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.robustseg.attack.Norm;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.model.DualBatchNorm;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SeededDropout;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ForwardMode;
import org.robustseg.optim.Objective;
import org.robustseg.optim.PixelCrossEntropy;
import org.robustseg.provenance.Checkpoint;

/** The adversarial training recipes: what they train on, their losses, dual BN, determinism and resumption. */
class RecipesTest {
    private static final String MODEL = "pspnet-lite";
    private static final int CLASSES = 11;

    @TempDir
    static Path tmp;
    static SegDataset train;
    static SegDataset val;
    static int threadsBefore;

    @BeforeAll
    static void data() {
        Path data = tmp.resolve("data");
        FashionScenes.builder().trainSize(16).valSize(4).seed(5).build().write(data);
        train = DataSets.inMemory(DataSets.open(data, Split.TRAIN));
        val = DataSets.inMemory(DataSets.open(data, Split.VAL));
        Engine.getEngine("PyTorch");
        threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1); // bit-identical results are promised on one thread
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(threadsBefore);
    }

    private static TrainConfig config(RecipeConfig recipe, int epochs) {
        return TrainConfig.builder(MODEL).recipe(recipe).epochs(epochs).batchSize(8).seed(7).learningRate(0.01f)
                .augmentation(Augmentation.none()).build();
    }

    private static Batch firstBatch(int n) {
        return BatchLoader.sequential(train, n).iterator().next();
    }

    /** Dropout draws from the model's own streams, which this restarts. */
    private static void seedDropout(SegmentationModel model, long seed) {
        SeededDropout.reseed(model.block(), seed);
    }

    /** One optimiser step of {@code recipe} on given inputs, as the Trainer does it. */
    private static void step(SegmentationModel model, TrainingRecipe recipe, TrainingRecipe.Inputs inputs) {
        seedDropout(model, 99); // same dropout masks in every compared step
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(recipe.loss(model, inputs, config(RecipeConfig.of(Recipe.parse(recipe.name())), 1)).total());
        }
        new SgdMomentum(0.9f, 1e-4f).update(Trainer.trainableParameters(model), 0.01f);
    }

    private static float[] flatParameters(SegmentationModel model) {
        List<Parameter> ps = Trainer.trainableParameters(model);
        int n = 0;
        for (Parameter p : ps) {
            n += (int) p.getArray().size();
        }
        float[] all = new float[n];
        int at = 0;
        for (Parameter p : ps) {
            float[] v = p.getArray().toFloatArray();
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return all;
    }

    @Test
    void pgdAtTrainsOnTheAttackedBatch() {
        Batch batch = firstBatch(4);
        PgdAtRecipe pgdAt = new PgdAtRecipe(RecipeConfig.of(Recipe.PGD_AT));
        try (SegmentationModel viaRecipe = SegmentationModel.create(MODEL, CLASSES, 3);
                SegmentationModel manualAdv = SegmentationModel.create(MODEL, CLASSES, 3);
                SegmentationModel manualClean = SegmentationModel.create(MODEL, CLASSES, 3);
                NDManager m = viaRecipe.manager().newSubManager()) {
            NDArray x = batch.images(m);
            NDArray y = batch.labels(m);
            TrainingRecipe.Inputs in = pgdAt.prepare(viaRecipe, x, y, m, 0L);
            NDArray adv = in.adversarial();
            float linf = adv.sub(x).abs().max().getFloat();
            assertTrue(linf <= 8 / 255f + 1e-6f && linf > 0, "perturbation " + linf);

            // the attacked batch has the higher loss (same dropout masks for both)
            seedDropout(viaRecipe, 2);
            float cleanLoss = PixelCrossEntropy.mean(ForwardMode.TRAINING.logits(viaRecipe, x), y).getFloat();
            seedDropout(viaRecipe, 2);
            float advLoss = PixelCrossEntropy.mean(ForwardMode.TRAINING.logits(viaRecipe, adv), y).getFloat();
            assertTrue(advLoss > cleanLoss + 0.01f, "adv " + advLoss + " vs clean " + cleanLoss);

            // the update equals a standard step on the adversarial images, not one on the clean ones
            step(viaRecipe, pgdAt, in);
            StandardRecipe standard = new StandardRecipe();
            step(manualAdv, standard, new TrainingRecipe.Inputs(adv.duplicate(), y, null));
            step(manualClean, standard, new TrainingRecipe.Inputs(x, y, null));
            float[] recipeParams = flatParameters(viaRecipe);
            assertArrayEquals(flatParameters(manualAdv), recipeParams);
            assertFalse(java.util.Arrays.equals(flatParameters(manualClean), recipeParams));
        }
    }

    private static float[] allParameters(SegmentationModel model) {
        List<float[]> parts = new java.util.ArrayList<>();
        int n = 0;
        for (ai.djl.util.Pair<String, Parameter> p : model.block().getParameters()) {
            float[] v = p.getValue().getArray().toFloatArray();
            parts.add(v);
            n += v.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] v : parts) {
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return all;
    }

    /** Crafting runs in training-mode BN but leaves every parameter and running statistic as it was. */
    @ParameterizedTest
    @ValueSource(strings = {"pgd-at", "trades", "advprop"})
    void craftingLeavesTheModelUnchanged(String name) {
        TrainingRecipe recipe = Recipes.create(RecipeConfig.builder(Recipe.parse(name)).steps(1).build());
        Batch batch = firstBatch(2);
        try (SegmentationModel model = ModelZoo.create(new ModelSpec(MODEL, CLASSES, recipe.dualBatchNorm()), 3);
                NDManager m = model.manager().newSubManager()) {
            float[] before = allParameters(model);
            recipe.prepare(model, batch.images(m), batch.labels(m), m, 0L);
            assertArrayEquals(before, allParameters(model));
        }
    }

    @Test
    void auxiliaryRoutingIsRestoredWhenTheBodyThrows() {
        Batch batch = firstBatch(2);
        try (SegmentationModel dual = ModelZoo.create(new ModelSpec(MODEL, CLASSES, true), 3);
                NDManager m = dual.manager().newSubManager()) {
            NDArray x = batch.images(m);
            // make the auxiliary BNs differ from the main ones
            DualBatchNorm.throughAuxiliary(dual, () -> dual.forward(x.mul(0.5f), true));
            float[] main = dual.logits(x).toFloatArray();
            assertThrows(IllegalStateException.class, () -> DualBatchNorm.throughAuxiliary(dual, () -> {
                throw new IllegalStateException("boom");
            }));
            assertArrayEquals(main, dual.logits(x).toFloatArray());
        }
        try (SegmentationModel plain = SegmentationModel.create(MODEL, CLASSES, 0)) {
            assertThrows(IllegalStateException.class, () -> DualBatchNorm.throughAuxiliary(plain, () -> 1));
        }
    }

    /** Counts input-gradient computations: calls of the objective on an input that carries a gradient. */
    private static int inputGradients(AdversarialRecipe recipe) {
        AtomicInteger count = new AtomicInteger();
        recipe.innerObjectiveHook(inner -> Objective.of(inner.name(), c -> {
            if (c.x().hasGradient()) {
                count.incrementAndGet();
            }
            return inner.perSample(c);
        }));
        Batch batch = firstBatch(2);
        try (SegmentationModel model = SegmentationModel.create(MODEL, CLASSES, 3);
                NDManager m = model.manager().newSubManager()) {
            recipe.prepare(model, batch.images(m), batch.labels(m), m, 0L);
        }
        return count.get();
    }

    @Test
    void fastAtTakesOneInputGradientPerStepAndPgdAtK() {
        assertEquals(1, inputGradients(new FastAtRecipe(RecipeConfig.of(Recipe.FAST_AT))));
        assertEquals(2, inputGradients(new PgdAtRecipe(RecipeConfig.builder(Recipe.PGD_AT).steps(2).build())));
        assertEquals(3, inputGradients(new PgdAtRecipe(RecipeConfig.of(Recipe.PGD_AT))));
        RecipeConfig fast = RecipeConfig.of(Recipe.FAST_AT);
        assertEquals(1.25f * 8 / 255f, fast.stepSize(), 1e-7f);
        assertTrue(fast.randomStart());
    }

    @Test
    void tradesLossIsCleanCePlusBetaKl() {
        Batch batch = firstBatch(2);
        RecipeConfig options = RecipeConfig.builder(Recipe.TRADES).beta(3f).build();
        TradesRecipe trades = new TradesRecipe(options);
        try (SegmentationModel model = SegmentationModel.create(MODEL, CLASSES, 4);
                NDManager m = model.manager().newSubManager()) {
            NDArray x = batch.images(m);
            int[] labelData = batch.labelData().clone();
            for (int i = 0; i < labelData.length; i += 7) {
                labelData[i] = 255; // ignore pixels must not count
            }
            NDArray y = m.create(labelData, new ai.djl.ndarray.types.Shape(2, batch.height(), batch.width()))
                    .toType(ai.djl.ndarray.types.DataType.INT64, false);
            NDArray adv = x.add(m.randomUniform(-0.03f, 0.03f, x.getShape())).clip(0, 1);
            TrainConfig cfg = config(options, 1);
            seedDropout(model, 5);
            TrainingRecipe.Loss loss = trades.loss(model, new TrainingRecipe.Inputs(x, y, adv), cfg);

            seedDropout(model, 5); // same dropout draws, same order: clean forward, then adversarial
            NDList clean = model.forward(x, true);
            NDList attacked = model.forward(adv, true);
            double ce = crossEntropy(clean.get(0).toFloatArray(), labelData, CLASSES)
                    + 0.4 * crossEntropy(clean.get(1).toFloatArray(), labelData, CLASSES);
            double kl = klDivergence(clean.get(0).toFloatArray(), attacked.get(0).toFloatArray(), labelData, CLASSES);
            assertEquals(ce, loss.parts().get("clean").getFloat(), 1e-4 * ce);
            assertEquals(kl, loss.parts().get("kl").getFloat(), 1e-4 * kl + 1e-7);
            assertEquals(ce + 3 * kl, loss.total().getFloat(), 1e-4 * (ce + 3 * kl));
            assertTrue(kl > 0);
        }
    }

    /** Mean pixel CE over valid pixels, from N×C×H×W logits in plain Java. */
    private static double crossEntropy(float[] logits, int[] labels, int classes) {
        int pixels = labels.length;
        int perImage = pixels / 2;
        double sum = 0;
        int count = 0;
        for (int p = 0; p < pixels; p++) {
            if (labels[p] == 255) {
                continue;
            }
            double[] logp = logSoftmax(logits, p / perImage, p % perImage, perImage, classes);
            sum -= logp[labels[p]];
            count++;
        }
        return sum / count;
    }

    /** Mean over valid pixels of Σ_c p_c (log p_c − log q_c). */
    private static double klDivergence(float[] reference, float[] other, int[] labels, int classes) {
        int pixels = labels.length;
        int perImage = pixels / 2;
        double sum = 0;
        int count = 0;
        for (int p = 0; p < pixels; p++) {
            if (labels[p] == 255) {
                continue;
            }
            double[] lp = logSoftmax(reference, p / perImage, p % perImage, perImage, classes);
            double[] lq = logSoftmax(other, p / perImage, p % perImage, perImage, classes);
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(lp[c]) * (lp[c] - lq[c]);
            }
            count++;
        }
        return sum / count;
    }

    private static double[] logSoftmax(float[] logits, int image, int pixel, int perImage, int classes) {
        double[] z = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            z[c] = logits[(image * classes + c) * perImage + pixel];
            max = Math.max(max, z[c]);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - max);
        }
        double log = max + Math.log(s);
        for (int c = 0; c < classes; c++) {
            z[c] -= log;
        }
        return z;
    }

    @Test
    void advPropCheckpointServesTheOrdinaryModelAndKeepsTheAuxiliaryBns() throws IOException {
        Path run = tmp.resolve("advprop");
        Path ckpt = new Trainer(config(RecipeConfig.of(Recipe.ADVPROP), 1), train, null).run(run, RunMode.FRESH);
        assertTrue(entries(ckpt).containsKey("auxiliary.bin"));
        Batch batch = BatchLoader.sequential(val, 4).iterator().next();
        try (SegmentationModel ordinary = Checkpoint.load(ckpt);
                SegmentationModel dual = ModelZoo.create(new ModelSpec(MODEL, CLASSES, true), 0);
                NDManager m = ordinary.manager().newSubManager()) {
            assertFalse(DualBatchNorm.isDual(ordinary));
            Checkpoint.open(ckpt).loadParametersInto(dual);
            NDArray x = batch.images(m);
            float[] plain = ordinary.logits(x).toFloatArray();
            assertArrayEquals(plain, dual.logits(x).toFloatArray(), "main-BN route of the dual model");
            float[] viaAux = DualBatchNorm.throughAuxiliary(dual, () -> dual.logits(x).toFloatArray());
            assertFalse(java.util.Arrays.equals(plain, viaAux), "the auxiliary BNs hold their own statistics");
            assertArrayEquals(plain, dual.logits(x).toFloatArray(), "routing is restored after the scope");

            // the adversarial batches moved the auxiliary running statistics away from the main ones
            List<DualBatchNorm> norms = DualBatchNorm.all(dual);
            assertFalse(norms.isEmpty());
            for (DualBatchNorm d : norms) {
                float[] mainMean = runningMean(d.main());
                float[] auxMean = runningMean(d.auxiliary());
                assertFalse(java.util.Arrays.equals(mainMean, auxMean), "running means of a dual BN");
            }
        }
        // an ordinary model cannot resume an advprop run's auxiliary state, and a dual one requires it
        Path plainRun = new Trainer(config(RecipeConfig.of(Recipe.STANDARD), 1), train, null).run(tmp.resolve("plain"), RunMode.FRESH);
        try (SegmentationModel dual = ModelZoo.create(new ModelSpec(MODEL, CLASSES, true), 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.open(plainRun).loadParametersInto(dual));
            assertTrue(e.getMessage().contains("auxiliary"), e.getMessage());
        }
    }

    private static float[] runningMean(ai.djl.nn.Block bn) {
        for (ai.djl.util.Pair<String, Parameter> p : bn.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.RUNNING_MEAN) {
                return p.getValue().getArray().toFloatArray();
            }
        }
        throw new AssertionError("no running mean in " + bn);
    }

    private static Map<String, byte[]> entries(Path ckpt) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (InputStream in = Files.newInputStream(ckpt); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                m.put(e.getName(), zip.readAllBytes());
            }
        }
        return m;
    }

    /** Each recipe: an epoch is deterministic per seed, and a resumed run ends bit-identical to an uninterrupted one. */
    @ParameterizedTest
    @ValueSource(strings = {"pgd-at", "sat", "advprop", "trades", "fast-at"})
    void eachRecipeIsDeterministicAndResumes(String name) throws IOException {
        RecipeConfig recipe = (name.equals("fast-at") ? RecipeConfig.builder(Recipe.FAST_AT) : RecipeConfig.builder(Recipe.parse(name)).steps(2)).build();
        Path whole = new Trainer(config(recipe, 2), train, null).run(tmp.resolve(name + "-whole"), RunMode.FRESH);
        Path part = tmp.resolve(name + "-part");
        // 2 steps per epoch: killed during the first step of epoch 2
        assertThrows(IllegalStateException.class,
                () -> new Trainer(config(recipe, 2), train, null).progress(new KillAfter(3)).run(part, RunMode.FRESH));
        Map<String, byte[]> wholeFirst = entries(Checkpoint.epochFile(tmp.resolve(name + "-whole"), 1));
        Map<String, byte[]> partFirst = entries(Checkpoint.epochFile(part, 1));
        assertArrayEquals(wholeFirst.get("parameters.bin"), partFirst.get("parameters.bin"), "same seed, same epoch 1");
        Path resumed = new Trainer(config(recipe, 2), train, null).run(part, RunMode.RESUME);
        Map<String, byte[]> a = entries(whole);
        Map<String, byte[]> b = entries(resumed);
        assertArrayEquals(a.get("parameters.bin"), b.get("parameters.bin"), "resumed weights");
        assertArrayEquals(a.get("optimizer.bin"), b.get("optimizer.bin"), "resumed optimizer state");
        if (name.equals("advprop")) {
            assertArrayEquals(a.get("auxiliary.bin"), b.get("auxiliary.bin"), "resumed auxiliary BNs");
        }
        var losses = Checkpoint.open(resumed).meta().path("history").get(1).path("losses");
        assertTrue(losses.has(name.equals("trades") ? "kl" : "adv"), losses.toString());
        assertEquals(name, Checkpoint.open(resumed).meta().path("provenance").path("config").path("recipe").path("name").asText());
    }


    /**
     * {@code --step-rule apgd}: the inner maximisation moves by APGD (its first move from the random
     * start is 2·eps, so nearly every pixel lands on the eps boundary; PGD-AT's 2.5·eps/4 step leaves
     * most inside) and trains on each image's highest-loss iterate, as APGD returns it. Recorded as
     * "step_rule": "apgd", absent for the default; refused where it cannot apply.
     */
    @Test
    void apgdStepRuleCraftsWithApgdAndTrainsOnTheHighestLossIterate() throws Exception {
        RecipeConfig o = RecipeConfig.builder(Recipe.PGD_AT).steps(4).stepRule(StepRule.APGD).build();
        assertEquals(2 * (8 / 255f), o.stepSize(), 1e-7f);
        assertEquals(4, inputGradients(new PgdAtRecipe(o)));
        for (StepRule rule : StepRule.values()) {
            RecipeConfig c = RecipeConfig.builder(Recipe.PGD_AT).steps(4).stepRule(rule).build();
            List<float[]> iterates = new java.util.ArrayList<>();
            List<float[]> losses = new java.util.ArrayList<>();
            float[][] start = new float[1][];
            PgdAtRecipe recipe = new PgdAtRecipe(c);
            recipe.innerObjectiveHook(inner -> Objective.of(inner.name(), ctx -> {
                NDArray l = inner.perSample(ctx);
                if (ctx.step() == ctx.steps()) { // the loop's fixed criterion, once per iterate
                    iterates.add(ctx.x().toFloatArray());
                    losses.add(l.toFloatArray());
                    start[0] = ctx.x0().toFloatArray();
                }
                return l;
            }));
            Batch batch = firstBatch(2);
            float[] crafted;
            try (SegmentationModel model = SegmentationModel.create(MODEL, CLASSES, 3);
                    NDManager m = model.manager().newSubManager()) {
                crafted = recipe.prepare(model, batch.images(m), batch.labels(m), m, 5L).adversarial().toFloatArray();
            }
            int per = crafted.length / 2;
            if (rule == StepRule.FIXED) {
                assertEquals(4, iterates.size(), "the last iterate is not scored under the fixed rule");
                continue;
            }
            assertEquals(5, iterates.size(), "iterates 0..4 scored");
            // the first move: on the eps boundary wherever the [0,1] box does not cut it
            int inside = 0;
            int onBoundary = 0;
            for (int k = 0; k < per * 2; k++) {
                float x0 = start[0][k];
                if (x0 > 0.05f && x0 < 0.95f) {
                    inside++;
                    onBoundary += Math.abs(iterates.get(1)[k] - x0) > 0.99f * (8 / 255f) ? 1 : 0;
                }
            }
            assertTrue(onBoundary > 0.9 * inside, onBoundary + " of " + inside + " pixels on the boundary after APGD's first move");
            for (int i = 0; i < 2; i++) {
                int best = 0;
                for (int t = 1; t < losses.size(); t++) {
                    best = losses.get(t)[i] > losses.get(best)[i] ? t : best;
                }
                float[] want = java.util.Arrays.copyOfRange(iterates.get(best), i * per, (i + 1) * per);
                assertArrayEquals(want, java.util.Arrays.copyOfRange(crafted, i * per, (i + 1) * per),
                        "image " + i + " should be iterate " + best + " (losses " + losses.stream().map(l -> l[0] + "/" + l[1]).toList() + ")");
            }
        }
        // the recorded configuration: "step_rule" only when it is not the default; it loads back equal
        com.fasterxml.jackson.databind.JsonNode json = org.robustseg.provenance.Json.toTree(o);
        assertEquals("apgd", json.path("step_rule").asText());
        assertEquals(o, org.robustseg.provenance.Json.MAPPER.treeToValue(json, RecipeConfig.class));
        assertFalse(org.robustseg.provenance.Json.toTree(RecipeConfig.of(Recipe.PGD_AT)).has("step_rule"));
        assertEquals(RecipeConfig.of(Recipe.PGD_AT), RecipeConfig.builder(Recipe.PGD_AT).stepRule(StepRule.FIXED).build());
        assertMessage(() -> RecipeConfig.builder(Recipe.FAST_AT).stepRule(StepRule.APGD).build(), "--step-rule", "fast-at");
        assertMessage(() -> RecipeConfig.builder(Recipe.STANDARD).stepRule(StepRule.APGD).build(), "--step-rule");
        assertMessage(() -> StepRule.parse("adam"), "--step-rule", "fixed, apgd");
    }

    @Test
    void resumeRefusesOtherRecipeOptionsAndTheProbeReportsRobustAccuracy() {
        Path dir = tmp.resolve("probe");
        List<EpochSummary> seen = new java.util.ArrayList<>();
        new Trainer(config(RecipeConfig.of(Recipe.FAST_AT), 1), train, val).onEpoch(seen::add).run(dir, RunMode.FRESH);
        Map<String, Double> extra = seen.get(0).valExtra();
        Double clean = extra.get(RobustnessProbe.CLEAN_ACC);
        Double robust = extra.get(RobustnessProbe.ROBUST_ACC);
        assertNotNull(clean);
        assertNotNull(robust);
        assertTrue(robust <= clean, robust + " > " + clean);

        RecipeConfig otherEps = RecipeConfig.builder(Recipe.FAST_AT).eps(4 / 255f).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(config(otherEps, 2), train, val).run(dir, RunMode.RESUME));
        assertTrue(e.getMessage().contains("recipe"), e.getMessage());
    }

    @Test
    void badOptionsNameTheOption() {
        assertMessage(() -> Recipe.parse("pgd"), "--recipe", "pgd-at, sat, advprop, trades, fast-at");
        assertMessage(() -> RecipeConfig.builder(Recipe.PGD_AT).eps(-0.1f).build(), "--eps");
        assertMessage(() -> RecipeConfig.builder(Recipe.PGD_AT).eps(2f).build(), "--eps");
        assertMessage(() -> RecipeConfig.builder(Recipe.SAT).advShare(1.5f).build(), "--adv-share");
        assertMessage(() -> RecipeConfig.builder(Recipe.SAT).advShare(-0.5f).build(), "--adv-share");
        assertMessage(() -> RecipeConfig.builder(Recipe.PGD_AT).advShare(0.5f).build(), "--adv-share");
        assertMessage(() -> RecipeConfig.builder(Recipe.TRADES).beta(-1f).build(), "--beta");
        assertMessage(() -> RecipeConfig.builder(Recipe.SAT).beta(6f).build(), "--beta");
        assertMessage(() -> RecipeConfig.builder(Recipe.PGD_AT).steps(0).build(), "--attack-steps");
        assertMessage(() -> RecipeConfig.builder(Recipe.FAST_AT).steps(3).build(), "--attack-steps");
        assertMessage(() -> RecipeConfig.builder(Recipe.PGD_AT).stepSize(-1f).build(), "--step-size");
        assertMessage(() -> Norm.parse("l3", "--norm"), "--norm");
        assertMessage(() -> RecipeConfig.builder(Recipe.STANDARD).eps(0.1f).build(), "--eps");
        // defaults
        RecipeConfig sat = RecipeConfig.of(Recipe.SAT);
        assertEquals(0.03f, sat.eps());
        assertEquals(3, sat.steps());
        assertEquals(0.01f, sat.stepSize(), 1e-7f);
        assertFalse(sat.randomStart());
        assertEquals(0.5f, sat.advShare());
        assertEquals(6f, RecipeConfig.of(Recipe.TRADES).beta());
        assertEquals(2.5f * (8 / 255f) / 3, RecipeConfig.of(Recipe.PGD_AT).stepSize(), 1e-7f);
        assertEquals(0.5f, RecipeConfig.builder(Recipe.PGD_AT).norm(Norm.L2).build().eps());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain " + p);
        }
    }

    /**
     * The inner max attacks the main head's pixel CE (the deployed model's), the same loss an
     * evaluation PGD with these settings raises: it does not depend on the auxiliary head.
     */
    @Test
    void innerMaxRaisesTheMainHeadLossOnly() {
        Batch batch = firstBatch(2);
        RecipeConfig o = RecipeConfig.builder(Recipe.PGD_AT).steps(2).build();
        PgdAtRecipe pgdAt = new PgdAtRecipe(o);
        try (SegmentationModel model = ModelZoo.create(new ModelSpec(MODEL, CLASSES, false), 3);
                NDManager m = model.manager().newSubManager()) {
            NDArray x = batch.images(m);
            NDArray y = batch.labels(m);
            assertEquals(2, model.forward(x, true).size(), "the test needs a model with an auxiliary head");
            seedDropout(model, 7);
            float[] viaRecipe = pgdAt.prepare(model, x, y, m, 11L).adversarial().toFloatArray();
            seedDropout(model, 7);
            float[] mainOnly = org.robustseg.attack.Attacks.pgd(o.norm()).eps(o.eps()).steps(o.steps())
                    .stepSize(o.stepSize()).randomStart(o.randomStart()).objective(org.robustseg.optim.Objectives.crossEntropy())
                    .optimizer().forwardMode(ForwardMode.TRAINING).keepBest(false).evaluateLast(false).seed(11L)
                    .run(model, x, y).xBest().toFloatArray();
            assertArrayEquals(mainOnly, viaRecipe);
        }
    }

    /**
     * TRADES crafts as its authors' code does: BatchNorm (and dropout) in eval mode, from
     * x + 0.001·N(0,1) — not PGD's uniform start in the eps-ball, not training mode.
     */
    @Test
    void tradesCraftsInEvalModeFromASmallGaussianStart() {
        RecipeConfig o = RecipeConfig.builder(Recipe.TRADES).steps(1).build();
        assertEquals(ForwardMode.EVAL, o.attackBn());
        TradesRecipe trades = new TradesRecipe(o);
        float[][] seen = new float[3][];
        trades.innerObjectiveHook(inner -> Objective.of(inner.name(), c -> {
            if (c.step() == 0 && seen[0] == null) {
                seen[0] = c.x().toFloatArray();
                seen[1] = c.x0().toFloatArray();
                seen[2] = c.logits().toFloatArray();
            }
            return inner.perSample(c);
        }));
        Batch batch = firstBatch(2);
        try (SegmentationModel model = ModelZoo.create(new ModelSpec(MODEL, CLASSES, false), 3);
                NDManager m = model.manager().newSubManager()) {
            NDArray x = batch.images(m);
            float[] before = allParameters(model);
            trades.prepare(model, x, batch.labels(m), m, 5L);
            assertArrayEquals(before, allParameters(model), "crafting changed parameters or running statistics");
            assertNotNull(seen[0]);
            // the start: x + 0.001·N(0,1); measured where the [0,1] clamp cannot act
            double sq = 0;
            int n = 0;
            double max = 0;
            for (int i = 0; i < seen[0].length; i++) {
                double d = seen[0][i] - seen[1][i];
                max = Math.max(max, Math.abs(d));
                if (seen[1][i] > 0.01 && seen[1][i] < 0.99) {
                    sq += d * d;
                    n++;
                }
            }
            assertTrue(n > 1000, "only " + n + " interior pixels");
            double rms = Math.sqrt(sq / n);
            assertEquals(0.001, rms, 0.0001, "start offset rms"); // a uniform 8/255 start has rms 0.018
            assertTrue(max < 0.006, "max offset " + max);
            // the attacked forward is the eval-mode one (training mode differs: batch statistics, dropout)
            NDArray start = m.create(seen[0], x.getShape());
            float[] eval = ForwardMode.EVAL.logits(model, start).toFloatArray();
            float[] training = ForwardMode.TRAINING.logits(model, start).toFloatArray();
            assertArrayEquals(eval, seen[2], 1e-4f);
            double gap = 0;
            for (int i = 0; i < eval.length; i++) {
                gap = Math.max(gap, Math.abs(eval[i] - training[i]));
            }
            assertTrue(gap > 1e-2, "eval and training logits coincide (" + gap + "): the test cannot tell them apart");
        }
    }

    /** A run recorded with the earlier TRADES variant (training-mode crafting) still resolves and keeps it. */
    @Test
    void tradesRunsRecordedWithTrainingModeKeepTheirVariant() {
        RecipeConfig d = RecipeConfig.builder(Recipe.TRADES).build();
        RecipeConfig old = new RecipeConfig(d.recipe(), d.norm(), d.eps(), d.steps(), d.stepSize(), d.randomStart(),
                ForwardMode.TRAINING, d.beta(), d.advShare(), null);
        assertEquals(ForwardMode.TRAINING, new TradesRecipe(old).craftMode());
        assertEquals(ForwardMode.EVAL, new TradesRecipe(d).craftMode());
        RecipeConfig p = RecipeConfig.of(Recipe.PGD_AT);
        assertThrows(IllegalArgumentException.class, () -> new RecipeConfig(p.recipe(), p.norm(), p.eps(), p.steps(),
                p.stepSize(), p.randomStart(), ForwardMode.EVAL, p.beta(), p.advShare(), null));
    }
}
