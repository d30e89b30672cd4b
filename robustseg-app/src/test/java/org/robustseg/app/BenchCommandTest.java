package org.robustseg.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.provenance.Json;

/** The bench runs and reports (no timing assertions: benchmarks are not tests). */
class BenchCommandTest {
    @TempDir
    Path tmp;

    private JsonNode runBench(String... extra) {
        Path out = tmp.resolve("bench-results.json");
        List<String> args = new java.util.ArrayList<>(List.of("bench", "--quick", "--models", "pspnet-lite", "--repeats", "2",
                "--warmup", "0", "--operations", "forward,attack-step", "--matmul", "128", "--out", out.toString(),
                "--python", Reference.PYTHON.toString(), "--reference", Reference.SCRIPT.toString()));
        args.addAll(List.of(extra));
        Cli.Outcome o = Cli.run(args.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        return Json.read(out);
    }

    @Test
    void reportsJavaAndPyTorchTimesRatiosAndGflopsPerOperation() throws Exception {
        Reference.require();
        JsonNode results = runBench();
        assertTrue(results.isArray());
        for (String op : List.of("forward", "attack-step")) {
            JsonNode e = entry(results, op);
            assertEquals("pspnet-lite", e.path("model").asText());
            double java = e.path("java_ms").asDouble();
            double py = e.path("pytorch_ms").asDouble();
            assertTrue(java > 0 && py > 0, e.toString());
            assertEquals(java / py, e.path("ratio").asDouble(), 1e-9);
            assertEquals(e.path("flops").asDouble() / java / 1e6, e.path("gflops").asDouble(), 1e-6);
            assertEquals(2, e.path("java_samples_ms").size());
            assertEquals(2, e.path("pytorch_samples_ms").size());
            assertTrue(e.path("provenance").path("environment").path("pytorch").path("torch").isTextual(), e.toString());
        }
        // An attack step is forward + input backward: twice the forward's nominal FLOPs.
        assertEquals(2 * entry(results, "forward").path("flops").asLong(), entry(results, "attack-step").path("flops").asLong());
        assertTrue(entry(results, "data-loading").path("java_ms").asDouble() > 0);
    }

    @Test
    void withoutTheReferenceOnlyJavaIsTimed() {
        JsonNode results = runBench("--no-reference");
        JsonNode e = entry(results, "forward");
        assertTrue(e.path("java_ms").asDouble() > 0);
        assertTrue(e.path("pytorch_ms").isNull() && e.path("ratio").isNull(), e.toString());
    }

    @Test
    void badOptionsAreNamed() {
        Cli.assertOneLineError(Cli.run("bench", "--models", "resnet-9000", "--no-reference"), "--models");
        Cli.assertOneLineError(Cli.run("bench", "--operations", "backflip", "--no-reference"), "--operations");
        Cli.assertOneLineError(Cli.run("bench", "--python", tmp.resolve("no-python").toString(), "--reference",
                Reference.SCRIPT.toString()), "--python");
        Cli.assertOneLineError(Cli.run("bench", "--reference", tmp.resolve("none.py").toString()), "--reference");
        Cli.assertOneLineError(Cli.run("bench", "--repeats", "0", "--no-reference"), "--repeats");
    }

    @Test
    void costModelWritesOneRowPerCell() {
        Path out = tmp.resolve("cost.json");
        Cli.Outcome o = Cli.run("bench", "cost-model", "--batches", "2,4", "--sizes", "32", "--repeats", "1", "--no-voc",
                "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode grid = Json.read(out).path("grid");
        assertEquals(2, grid.size());
        for (JsonNode row : grid) {
            assertTrue(row.path("standard_ms").asDouble() > 0 && row.path("pgd_at_ms").asDouble() > 0, row.toString());
            assertEquals(row.path("pgd_at_ms").asDouble() / row.path("standard_ms").asDouble(),
                    row.path("pgd_at_over_standard").asDouble(), 1e-9);
        }
    }

    @Test
    void memorySoakRunsBothPhases() {
        Cli.Outcome o = Cli.run("bench", "memory", "--attack-steps", "100", "--train-steps", "200", "--batch", "2");
        assertEquals(0, o.code(), o.err());
        Cli.assertOneLineError(Cli.run("bench", "memory", "--attack-steps", "5"), "--attack-steps");
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
