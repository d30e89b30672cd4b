package org.robustseg.bench;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.cli.Cli;
import org.robustseg.provenance.Json;

/**
 * The bench runs and reports (no timing assertions: benchmarks are not tests). The figures it
 * derives are checked against values computed here: the nominal FLOPs against a hand-worked
 * per-layer count of pspnet-lite, medians and rates against the raw samples and times it reports.
 */
class BenchCommandTest {
    @TempDir
    Path tmp;

    /** {@code ./run bench ARGS}, in-process. */
    private static Cli.Outcome bench(String... args) {
        return Cli.runWith(new BenchCommand(), args);
    }

    /** FLOPs of one k×k convolution from {@code in} to {@code out} channels producing an h×w map: 2 per multiply-add, 1 per bias add. */
    private static long conv(int in, int out, int k, int h, int w, boolean bias) {
        long values = (long) out * h * w;
        return 2 * values * in * k * k + (bias ? values : 0);
    }

    /**
     * pspnet-lite (11 classes) on one size×size image, by hand: stem 3×3/2 to 24, basic units
     * 32/64/128/128 at strides 2,2,1,1 (1×1 projection where width or stride change), PPM 1/2/3/6
     * bins 128→32, 3×3 fusion 256→64, 1×1 classifier with bias. {inference, auxiliary head}.
     */
    static long[] pspnetLite(int size) {
        int s2 = size / 2;
        int s4 = size / 4;
        int s8 = size / 8;
        long inference = conv(3, 24, 3, s2, s2, false)
                + conv(24, 32, 3, s4, s4, false) + conv(32, 32, 3, s4, s4, false) + conv(24, 32, 1, s4, s4, false)
                + conv(32, 64, 3, s8, s8, false) + conv(64, 64, 3, s8, s8, false) + conv(32, 64, 1, s8, s8, false)
                + conv(64, 128, 3, s8, s8, false) + conv(128, 128, 3, s8, s8, false) + conv(64, 128, 1, s8, s8, false)
                + 2 * conv(128, 128, 3, s8, s8, false)
                + conv(128, 32, 1, 1, 1, false) + conv(128, 32, 1, 2, 2, false) + conv(128, 32, 1, 3, 3, false) + conv(128, 32, 1, 6, 6, false)
                + conv(256, 64, 3, s8, s8, false) + conv(64, 11, 1, s8, s8, true);
        long aux = conv(128, 64, 3, s8, s8, false) + conv(64, 11, 1, s8, s8, true);
        return new long[] {inference, aux};
    }

    /** The median of the samples, computed here. */
    private static double median(JsonNode samples) {
        double[] t = new double[samples.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = samples.get(i).asDouble();
        }
        java.util.Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    }

    @Test
    void theHandCountIsPinned() {
        assertEquals(103_801_536L, pspnetLite(64)[0]);
    }

    private JsonNode runBench(String... extra) {
        Path out = tmp.resolve("bench-results.json");
        List<String> args = new java.util.ArrayList<>(List.of("--quick", "--models", "pspnet-lite", "--repeats", "2",
                "--warmup", "0", "--operations", "forward,attack-step", "--matmul", "128", "--out", out.toString(),
                "--python", Reference.PYTHON.toString(), "--reference", Reference.SCRIPT.toString()));
        args.addAll(List.of(extra));
        Cli.Outcome o = bench(args.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        return Json.read(out);
    }

    @Test
    void reportsJavaAndPyTorchTimesRatiosAndGflopsPerOperation() throws Exception {
        Reference.require();
        JsonNode results = runBench();
        assertTrue(results.isArray());
        // The bench setting is batch 16 at 64×64; an attack step is forward + input backward (2 forwards).
        long forward = 16 * pspnetLite(64)[0];
        for (String op : List.of("forward", "attack-step")) {
            JsonNode e = entry(results, op);
            assertEquals("pspnet-lite", e.path("model").asText());
            assertEquals(16, e.path("batch").asInt());
            assertEquals(64, e.path("image_size").asInt());
            assertEquals(op.equals("forward") ? forward : 2 * forward, e.path("flops").asLong(), op + " FLOPs");
            assertEquals(2, e.path("java_samples_ms").size());
            assertEquals(2, e.path("pytorch_samples_ms").size());
            double java = median(e.path("java_samples_ms"));
            double py = median(e.path("pytorch_samples_ms"));
            assertTrue(java > 0 && py > 0, e.toString());
            assertEquals(java, e.path("java_ms").asDouble(), 1e-9 * java, "java_ms is the median of the Java samples");
            assertEquals(py, e.path("pytorch_ms").asDouble(), 1e-9 * py, "pytorch_ms is the median of the PyTorch samples");
            assertEquals(java / py, e.path("ratio").asDouble(), 1e-9);
            assertEquals(e.path("flops").asDouble() / java / 1e6, e.path("gflops").asDouble(), 1e-6);
            assertEquals(e.path("flops").asDouble() / py / 1e6, e.path("pytorch_gflops").asDouble(), 1e-6);
            assertTrue(e.path("provenance").path("environment").path("pytorch").path("torch").isTextual(), e.toString());
        }
        assertTrue(entry(results, "data-loading").path("java_ms").asDouble() > 0);
    }

    @Test
    void timesAnImportedTorchScriptNetworkOnBothSides() throws Exception {
        Reference.require();
        Path card = Path.of("..", "robustseg-core", "src", "test", "resources", "interop", "tiny.card.json").toAbsolutePath().normalize();
        Path out = tmp.resolve("imported.json");
        Cli.Outcome o = bench("--quick", "--models", card.toString(), "--repeats", "2", "--warmup", "0", "--operations",
                "forward,attack-step,train-step,pgd-at-step", "--matmul", "128", "--out", out.toString(),
                "--python", Reference.PYTHON.toString(), "--reference", Reference.SCRIPT.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode results = Json.read(out);
        for (String op : List.of("forward", "attack-step", "train-step", "pgd-at-step")) {
            JsonNode e = entry(results, op);
            assertEquals("tiny", e.path("model").asText());
            assertTrue(e.path("java_ms").asDouble() > 0 && e.path("pytorch_ms").asDouble() > 0, e.toString());
            assertTrue(e.path("flops").isNull() && e.path("gflops").isNull(), "no FLOP count for an imported network: " + e);
        }
        Cli.assertOneLineError(bench("--models", card.resolveSibling("tiny_onnx.card.json").toString(), "--no-reference"), "ONNX");
    }

    @Test
    void withoutTheReferenceOnlyJavaIsTimed() {
        JsonNode results = runBench("--no-reference");
        JsonNode e = entry(results, "forward");
        assertTrue(e.path("java_ms").asDouble() > 0);
        assertEquals(median(e.path("java_samples_ms")), e.path("java_ms").asDouble(), 1e-9 * e.path("java_ms").asDouble());
        assertEquals(16 * pspnetLite(64)[0], e.path("flops").asLong(), "forward FLOPs of batch 16 at 64x64");
        assertEquals(2 * 16 * pspnetLite(64)[0], entry(results, "attack-step").path("flops").asLong());
        assertTrue(e.path("pytorch_ms").isNull() && e.path("ratio").isNull(), e.toString());
    }

    @Test
    void badOptionsAreNamed() {
        Cli.assertOneLineError(bench("--models", "resnet-9000", "--no-reference"), "--models");
        Cli.assertOneLineError(bench("--operations", "backflip", "--no-reference"), "--operations");
        Cli.assertOneLineError(bench("--python", tmp.resolve("no-python").toString(), "--reference",
                Reference.SCRIPT.toString()), "--python");
        Cli.assertOneLineError(bench("--reference", tmp.resolve("none.py").toString()), "--reference");
        Cli.assertOneLineError(bench("--repeats", "0", "--no-reference"), "--repeats");
    }

    /** The cluster case: SEA's 4 x 300 gradient steps per image, ceil(500 / N) whole images per core, time linear in both. */
    @Test
    void costModelProjectsSeaOnCityscapesOverWorkers() {
        Path out = tmp.resolve("cluster.json");
        Cli.Outcome o = bench("cost-model", "--batches", "2", "--sizes", "32", "--repeats", "1", "--no-voc",
                "--cluster-measure-size", "32", "--workers", "1,3,1000", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode p = Json.read(out).path("cluster_projection");
        assertEquals(1200, p.path("sea_gradient_steps_per_image").asInt(), "SEA as published: 4 losses x 300 APGD steps");
        long small = org.robustseg.model.FlopCounter.count("pspnet-resnet50", 19, new ai.djl.ndarray.types.Shape(1, 3, 32, 32)).attackStep();
        long full = org.robustseg.model.FlopCounter.count("pspnet-resnet50", 19, new ai.djl.ndarray.types.Shape(1, 3, 1024, 2048)).attackStep();
        double step = p.path("measured_attack_step_ms").asDouble() / 1000 * full / small;
        assertEquals(step, p.path("attack_step_s_1024x2048_extrapolated").asDouble(), step * 1e-9);
        double image = step * 1200;
        assertEquals(image, p.path("s_per_image_per_core_extrapolated").asDouble(), image * 1e-9);
        JsonNode rows = p.path("workers");
        assertEquals(3, rows.size());
        int[] perCore = {500, 167, 1};
        for (int i = 0; i < 3; i++) {
            assertEquals(perCore[i], rows.get(i).path("images_per_core").asInt());
            assertEquals(perCore[i] * image / 3600, rows.get(i).path("wall_hours_extrapolated").asDouble(), image * 1e-9);
        }
    }

    @Test
    void costModelWritesOneRowPerCell() {
        Path out = tmp.resolve("cost.json");
        Cli.Outcome o = bench("cost-model", "--batches", "2,4", "--sizes", "32", "--repeats", "1", "--no-voc", "--no-cluster",
                "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode grid = Json.read(out).path("grid");
        assertEquals(2, grid.size());
        long[] perImage = pspnetLite(32);
        for (int i = 0; i < 2; i++) {
            JsonNode row = grid.get(i);
            int batch = i == 0 ? 2 : 4;
            assertEquals(batch, row.path("batch").asInt());
            assertEquals(32, row.path("image_size").asInt());
            double std = row.path("standard_ms").asDouble();
            double adv = row.path("pgd_at_ms").asDouble();
            assertTrue(std > 0 && adv > 0, row.toString());
            assertEquals(adv / std, row.path("pgd_at_over_standard").asDouble(), 1e-9);
            // a standard training step: 3 training forwards (main and auxiliary heads)
            long flops = 3 * batch * (perImage[0] + perImage[1]);
            assertEquals(flops, row.path("standard_flops").asLong(), row.toString());
            assertEquals(flops / std / 1e6, row.path("standard_gflops").asDouble(), 1e-9);
            assertEquals(batch * 1000 / std, row.path("standard_images_per_s").asDouble(), 1e-9);
            double steps = (4000 + batch - 1) / batch; // default --epoch-images 4000
            assertEquals(steps * std / 1000, row.path("standard_epoch_s").asDouble(), 1e-9);
            assertEquals(steps * adv / 1000, row.path("pgd_at_epoch_s").asDouble(), 1e-9);
        }
    }

    @Test
    void memorySoakRunsBothPhases() {
        Cli.Outcome o = bench("memory", "--attack-steps", "100", "--train-steps", "200", "--batch", "2");
        assertEquals(0, o.code(), o.err());
        Cli.assertOneLineError(bench("memory", "--attack-steps", "5"), "--attack-steps");
    }

    private static JsonNode entry(JsonNode results, String operation) {
        for (JsonNode e : results) {
            if (e.path("operation").asText().equals(operation)) {
                return e;
            }
        }
        throw new AssertionError("no entry for " + operation + " in " + results);
    }
}
