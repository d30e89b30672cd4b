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
import org.robustseg.cli.synthesis.GenerateCommand;
import org.robustseg.cli.synthesis.InpaintCommand;
import org.robustseg.cli.synthesis.PagCommand;
import org.robustseg.cli.synthesis.SaliencyCommand;
import org.robustseg.data.FashionScenes;
import org.robustseg.provenance.Json;

/**
 * The Spark jobs ({@code local[2]}: two task threads, so batches finish out of order) against the
 * single-process commands, on a model trained here. Attack: the same mIoU, per-class IoU, per-image
 * and per-object figures, SEA's member-by-member figures and per-image files bit for bit; a rerun recomputes nothing; a lost per-image file is recomputed to
 * the same bytes and a killed task's temporary file is removed. Inpainting: the same files.
 */
class DistributedJobsTest {
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

    /**
     * SEA scored member by member: the ensemble's figures (SEA's worst-case mIoU, every member's own
     * figures, the per-image choice) merged on the driver from the executors' per-image counts equal
     * the single-process command's.
     */
    @Test
    void seaOnLocal2EqualsTheSingleProcessCommandBitForBit() throws IOException {
        Path single = tmp.resolve("sea-single");
        Path spark = tmp.resolve("sea-spark");
        List<String> cmd = new ArrayList<>(List.of("attack"));
        cmd.addAll(List.of(args("sea", single, data.toString())));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        new DistributedAttack(args("sea", spark, data.toString()), "cpu").run(sc);
        assertSameFigures(single, spark);
        JsonNode attacked = Json.read(spark.resolve("robustness.json")).get(2);
        assertEquals(4, attacked.path("ensemble").path("members").size(), attacked.toString());
        assertTrue(attacked.path("miou").asDouble() <= attacked.path("ensemble").path("miou_of_accuracy_choice").asDouble() + 1e-12);
    }

    /**
     * Imported networks on Spark's own task threads (which libtorch starts with grad mode on): a
     * TorchScript card under PGD and an ONNX card under the score-based Square attack give the
     * single-process command's figures and per-image files.
     */
    @Test
    void importedModelsOnLocal2EqualTheSingleProcessCommand() throws IOException {
        Path fixtures = Path.of("../robustseg-core/src/test/resources/interop").toAbsolutePath().normalize();
        String[][] cases = {
            {"tiny.card.json", "--attack", "pgd", "--steps", "2"},
            {"tiny_onnx.card.json", "--attack", "square", "--queries", "20"},
        };
        for (String[] c : cases) {
            Path single = tmp.resolve("imported-single-" + c[2]);
            Path spark = tmp.resolve("imported-spark-" + c[2]);
            List<String> options = new ArrayList<>(List.of("--checkpoint", fixtures.resolve(c[0]).toString(), "--data",
                    data.toString(), "--eps", "0,8/255", "--batch", "4", "--examples", "0", "--seed", "7"));
            options.addAll(List.of(c).subList(1, c.length));
            List<String> cmd = new ArrayList<>(List.of("attack"));
            cmd.addAll(options);
            cmd.addAll(List.of("--out", single.toString()));
            assertEquals(0, Main.execute(cmd.toArray(new String[0])), c[0]);
            options.addAll(List.of("--out", spark.toString()));
            new DistributedAttack(options.toArray(new String[0]), "cpu").run(sc);
            assertSameFigures(single, spark);
            assertEquals(10, perImage(spark).size(), c[0]);
        }
    }

    @Test
    void dataSetInpaintingOnLocal2WritesTheCommandsFilesByteForByte() throws IOException {
        Path single = tmp.resolve("inpaint-single");
        Path spark = tmp.resolve("inpaint-spark");
        String[] args = {"--checkpoint", run.toString(), "--data", data.toString(), "--count", "6", "--batch", "4", "--steps", "3",
                "--fill", "noise", "--grid-rows", "5", "--seed", "3", "--out", single.toString()};
        List<String> cmd = new ArrayList<>(List.of("inpaint"));
        cmd.addAll(List.of(args));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        args[args.length - 1] = spark.toString();
        assertEquals(6, new DistributedJob<>("inpaint", o -> InpaintCommand.parse(o).dataSetJob(), args, "cpu").run(sc));
        assertSameTree(single, spark, 6 * 5 + 2); // five PNGs per image, metrics.json, grid.png
        assertEquals(6, Json.read(spark.resolve("metrics.json")).path("images").size());
    }

    @Test
    void dataSetGenerationOnLocal2WritesTheCommandsFilesByteForByte() throws IOException {
        Path single = tmp.resolve("generate-single");
        Path spark = tmp.resolve("generate-spark");
        String[] args = {"--checkpoint", run.toString(), "--data", data.toString(), "--count", "6", "--batch", "4", "--steps", "3",
                "--grid-rows", "5", "--seed", "3", "--out", single.toString()};
        List<String> cmd = new ArrayList<>(List.of("generate"));
        cmd.addAll(List.of(args));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        args[args.length - 1] = spark.toString();
        assertEquals(6, new DistributedJob<>("generate", o -> GenerateCommand.parse(o).job(), args, "cpu").run(sc));
        assertSameTree(single, spark, 6 * 3 + 3); // seed, result, labels per image; metrics.json, grid.png, colour-statistics.json
        JsonNode y = Json.read(spark.resolve("metrics.json"));
        assertEquals(6, y.path("images").size());
    }

    @Test
    void dataSetSaliencyOnLocal2WritesTheCommandsFilesByteForByte() throws IOException {
        Path single = tmp.resolve("saliency-single");
        Path spark = tmp.resolve("saliency-spark");
        String[] args = {"--checkpoint", run.toString(), "--checkpoint", run.resolve("checkpoints/epoch-0001.ckpt").toString(),
                "--data", data.toString(), "--count", "6", "--batch", "4", "--class", "1", "--grid-rows", "5",
                "--out", single.toString()};
        List<String> cmd = new ArrayList<>(List.of("saliency"));
        cmd.addAll(List.of(args));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        args[args.length - 1] = spark.toString();
        assertEquals(6, new DistributedJob<>("saliency", o -> SaliencyCommand.parse(o).job(), args, "cpu").run(sc));
        assertSameTree(single, spark, 6 + 2); // NNNN_saliency.png per image, saliency.json, grid.png
        assertEquals(6, Json.read(spark.resolve("saliency.json")).path("images").size());
    }

    @Test
    void pagOnLocal2EqualsTheSingleProcessCommand() throws IOException {
        Path single = tmp.resolve("pag-single");
        Path spark = tmp.resolve("pag-spark");
        // the judge is a checkpoint like any other; the first epoch's suffices to check the plumbing
        String[] args = {"--checkpoint", run.toString(), "--label", "a", "--checkpoint",
                run.resolve("checkpoints/epoch-0001.ckpt").toString(), "--label", "b", "--judge", run.toString(), "--data", data.toString(), "--count", "6", "--batch", "4", "--steps", "3",
                "--gen-steps", "3", "--grid-rows", "5", "--images", single.resolve("files").toString(), "--out", single.toString()};
        List<String> cmd = new ArrayList<>(List.of("pag"));
        cmd.addAll(List.of(args));
        assertEquals(0, Main.execute(cmd.toArray(new String[0])));
        args[args.length - 3] = spark.resolve("files").toString();
        args[args.length - 1] = spark.toString();
        // tasks: baselines 2 batches + 2 models x (inpainting + generation) x 2 batches
        assertEquals(10, new DistributedJob<>("pag", o -> PagCommand.parse(o).job(), args, "cpu").run(sc));
        // pag.json, pag.md, two grids, colour statistics; 2 models x 6 images x (5 inpainting + 3 generation files)
        assertSameTree(single, spark, 5 + 2 * 6 * 8);
        assertEquals(Files.readString(single.resolve("pag.md")).replaceAll("(?s)Judge: .*", ""),
                Files.readString(spark.resolve("pag.md")).replaceAll("(?s)Judge: .*", ""));
    }

    /** Every file of both folders byte for byte, JSON files field by field but for the provenance's clock. */
    private static void assertSameTree(Path single, Path spark, int files) throws IOException {
        Map<String, byte[]> a = tree(single);
        Map<String, byte[]> b = tree(spark);
        assertEquals(a.keySet(), b.keySet());
        assertEquals(files, a.size(), "files: " + a.keySet());
        for (String k : a.keySet()) {
            if (k.endsWith(".md")) {
                continue; // pag.md names the folders; its figures are pag.json's
            }
            if (k.endsWith(".json")) {
                JsonNode x = Json.MAPPER.readTree(a.get(k));
                JsonNode y = Json.MAPPER.readTree(b.get(k));
                java.util.Iterator<String> names = x.fieldNames();
                while (names.hasNext()) {
                    String f = names.next();
                    if (!f.equals("provenance")) {
                        assertEquals(x.path(f), y.path(f), k + ": " + f);
                    }
                }
            } else {
                assertArrayEquals(a.get(k), b.get(k), k);
            }
        }
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

    /**
     * robustness.json of both runs: every figure equal — mIoU, per-class IoU, the per-image and
     * per-object figures, an ensemble's members and choice — but for the provenance's clock and the
     * compute seconds; and the per-image files byte for byte.
     */
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
            assertTrue(a.get(i).path("image_figures").path("image_miou").isNumber(), a.get(i).toString());
            assertEquals(withoutClocks(a.get(i)), withoutClocks(b.get(i)), "entry " + i);
        }
        Map<String, byte[]> x = perImage(single);
        Map<String, byte[]> y = perImage(spark);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k), y.get(k), "per-image file " + k);
        }
        assertTrue(a.get(1).path("miou").asDouble() <= a.get(0).path("miou").asDouble() + 1e-12, "an attack does not help");
    }

    /** A copy of {@code entry} without its provenance (a clock) and every "seconds" (compute time). */
    private static JsonNode withoutClocks(JsonNode entry) {
        JsonNode copy = entry.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("provenance");
        List<JsonNode> open = new ArrayList<>(List.of(copy));
        while (!open.isEmpty()) {
            JsonNode n = open.remove(open.size() - 1);
            if (n.isObject()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("seconds");
            }
            n.forEach(open::add);
        }
        return copy;
    }

    private static Map<String, byte[]> tree(Path out) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(out.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
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
