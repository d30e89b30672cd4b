package org.robustseg.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.cli.Main;
import org.robustseg.data.FashionScenes;
import org.robustseg.provenance.Json;

/**
 * The attack job on Spark ({@code local[2]}: two task threads, so batches finish out of order)
 * against {@code ./run attack} in this process, on a model trained here: the same mIoU, per-class
 * IoU and per-image files bit for bit; a rerun recomputes nothing; a lost per-image file is
 * recomputed to the same bytes and a killed task's temporary file is removed.
 */
class DistributedAttackTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() {
        data = tmp.resolve("data");
        // 10 val images in batches of 4: 4 + 4 + 2, so the short last batch is covered too
        FashionScenes.builder().trainSize(32).valSize(10).seed(2).build().write(data);
        run = tmp.resolve("run");
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val",
                "--out", run.toString()));
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("robustseg-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("ERROR");
    }

    @AfterAll
    static void tearDown() {
        if (sc != null) {
            sc.close();
        }
    }

    private static String[] args(String attack, Path out, String dataArg) {
        return new String[] {"--checkpoint", run.toString(), "--data", dataArg, "--attack", attack, "--eps", "0,4/255,8/255",
                "--steps", "3", "--batch", "4", "--examples", "0", "--seed", "7", "--out", out.toString()};
    }

    @Test
    void pgdOnLocal2EqualsTheSingleProcessCommandBitForBit() throws IOException {
        Path single = tmp.resolve("pgd-single");
        Path spark = tmp.resolve("pgd-spark");
        List<String> cmd = new ArrayList<>(List.of("attack"));
        cmd.addAll(List.of(args("pgd", single, data.toString())));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        // the data set given as a file:// URI goes through the Hadoop staging path; the figures must not notice
        new DistributedAttack(args("pgd", spark, data.toUri().toString()), "cpu").run(sc);
        assertSameFigures(single, spark);
        Map<String, byte[]> first = perImage(spark);
        assertEquals(10, first.size());
        assertEquals(perImage(single).keySet(), first.keySet());

        // a rerun reuses every finished file: nothing is rewritten
        FileTime old = FileTime.fromMillis(1_000_000L);
        for (Path p : files(spark)) {
            Files.setLastModifiedTime(p, old);
        }
        new DistributedAttack(args("pgd", spark, data.toString()), "cpu").run(sc);
        for (Path p : files(spark)) {
            assertEquals(old, Files.getLastModifiedTime(p), p + " was rewritten");
        }
        assertSameFigures(single, spark);

        // a batch cut short: one image's file missing, a dead task's temporary file beside it
        Path lost = files(spark).get(5);
        Files.delete(lost);
        Path stale = lost.resolveSibling("." + lost.getFileName() + "12345.tmp");
        Files.writeString(stale, "{\"half\": ");
        new DistributedAttack(args("pgd", spark, data.toString()), "cpu").run(sc);
        assertFalse(Files.exists(stale), "the killed task's temporary file is removed");
        Map<String, byte[]> again = perImage(spark);
        assertEquals(first.keySet(), again.keySet());
        for (String k : first.keySet()) {
            assertArrayEquals(first.get(k), again.get(k), k);
        }
        assertSameFigures(single, spark);
    }

    @Test
    void seaOnLocal2EqualsTheSingleProcessCommandBitForBit() throws IOException {
        Path single = tmp.resolve("sea-single");
        Path spark = tmp.resolve("sea-spark");
        List<String> cmd = new ArrayList<>(List.of("attack"));
        cmd.addAll(List.of(args("sea", single, data.toString())));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        new DistributedAttack(args("sea", spark, data.toString()), "cpu").run(sc);
        assertSameFigures(single, spark);
    }

    @Test
    void badOptionsGetOneLineAndNoCluster() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new SparkMain(), new PrintWriter(err, true), "attack", "--device", "tpu", "--checkpoint",
                run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad").toString());
        assertEquals(2, code);
        assertEquals("error: --device must be cpu or gpu, got 'tpu'", err.toString().strip());
        err = new StringWriter();
        code = Main.execute(new SparkMain(), new PrintWriter(err, true), "attack", "--checkpoint", run.toString(), "--data",
                data.toString(), "--masking-check", "--out", tmp.resolve("bad").toString());
        assertEquals(2, code);
        assertEquals("error: --masking-check runs on one machine: use './run attack --masking-check'", err.toString().strip());
    }

    /** robustness.json of both runs: every figure equal (the provenance's clock aside). */
    private static void assertSameFigures(Path single, Path spark) {
        JsonNode a = Json.read(single.resolve("robustness.json"));
        JsonNode b = Json.read(spark.resolve("robustness.json"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String key : List.of("eps", "miou", "pixel_accuracy", "per_class_iou", "pixels", "attack", "checkpoint")) {
                assertEquals(a.get(i).path(key), b.get(i).path(key), key + " of entry " + i);
            }
            assertEquals(Double.doubleToRawLongBits(a.get(i).path("miou").asDouble()),
                    Double.doubleToRawLongBits(b.get(i).path("miou").asDouble()));
        }
        Map<String, byte[]> x = perImage(single);
        Map<String, byte[]> y = perImage(spark);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k), y.get(k), "per-image file " + k);
        }
        assertTrue(a.get(1).path("miou").asDouble() <= a.get(0).path("miou").asDouble() + 1e-12, "an attack does not help");
    }

    private static List<Path> files(Path out) {
        try (Stream<Path> s = Files.walk(out.resolve("per-image"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> perImage(Path out) {
        Map<String, byte[]> m = new TreeMap<>();
        for (Path p : files(out)) {
            try {
                m.put(out.relativize(p).toString(), Files.readAllBytes(p));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return m;
    }
}
