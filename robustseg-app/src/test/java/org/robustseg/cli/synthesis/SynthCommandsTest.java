package org.robustseg.cli.synthesis;

import org.robustseg.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Images;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.data.DataSets;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;

/** inpaint, generate, edit and pag end to end on a tiny data set, and their bad-input errors. */
public class SynthCommandsTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static Path image;
    static Path labels;
    static SegSample sample;

    @BeforeAll
    static void trainTinyModel() {
        data = tmp.resolve("data");
        FashionScenes.builder().trainSize(24).valSize(4).seed(3).build().write(data);
        run = tmp.resolve("run");
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val",
                "--out", run.toString()));
        sample = DataSets.open(data, Split.VAL).get(0);
        image = tmp.resolve("image.png");
        Images.writePng(image, Images.fromChw(sample.image(), 64, 64));
        labels = tmp.resolve("labels.png");
        LabelMaps.write(labels, new LabelMap(64, 64, sample.labels()), FashionScenes.classes().palette());
    }

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString().trim());
    }

    private static void assertOneLineError(Outcome o, String mustContain) {
        assertTrue(o.code() != 0, "exit code should be non-zero: " + o);
        List<String> lines = o.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, lines.size(), "exactly one error line expected: " + o.err());
        assertTrue(lines.get(0).contains(mustContain), "error should name '" + mustContain + "': " + lines.get(0));
    }

    @Test
    void inpaintDataSetModeWritesEveryFileAndChangesOnlyTheHole() throws Exception {
        Path out = tmp.resolve("inpaint");
        Outcome o = run("inpaint", "--checkpoint", run.toString(), "--data", data.toString(), "--count", "3", "--hole", "12",
                "--steps", "3", "--batch", "2", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        for (int i = 0; i < 3; i++) {
            for (String kind : List.of("original", "mask", "masked", "result", "labels")) {
                assertTrue(Files.exists(out.resolve(String.format("%04d_%s.png", i, kind))), i + " " + kind);
            }
            // the written result equals the original outside the written mask, pixel for pixel
            float[] orig = Images.toChw(Images.read(out.resolve(String.format("%04d_original.png", i))));
            float[] res = Images.toChw(Images.read(out.resolve(String.format("%04d_result.png", i))));
            float[] mask = Images.toChw(Images.read(out.resolve(String.format("%04d_mask.png", i))));
            int inside = 0;
            for (int p = 0; p < 64 * 64; p++) {
                if (mask[p] < 0.5f) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(orig[c * 4096 + p], res[c * 4096 + p], 0f, "image " + i + " pixel " + p);
                    }
                } else {
                    inside++;
                }
            }
            assertEquals(144, inside);
        }
        assertTrue(Files.exists(out.resolve("grid.png")));
        JsonNode m = Json.read(out.resolve("metrics.json"));
        assertEquals(3, m.path("images").size());
        assertEquals("inpaint", m.path("provenance").path("command").asText());
        assertTrue(m.path("provenance").path("datasets").has("inpaint"));
        assertTrue(m.path("summary").path("loss_after").asDouble() < m.path("summary").path("loss_before").asDouble());
        assertEquals(3, m.path("settings").path("steps").asInt());
    }

    @Test
    void inpaintOneImageWithABoxAndAClassOrAMaskAndLabels() throws Exception {
        Path out = tmp.resolve("one");
        Outcome o = run("inpaint", "--checkpoint", run.toString(), "--image", image.toString(), "--box", "10,12,16,14",
                "--class", "bag", "--steps", "2", "--fill", "blur", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        int[] target = LabelMaps.read(out.resolve("0000_labels.png")).values();
        assertEquals(9, target[20 * 64 + 15]); // bag = 9 inside the box
        Path mask = tmp.resolve("mask.png");
        Images.writePng(mask, org.robustseg.synth.Hole.box(5, 5, 10, 10, 64, 64).toImage());
        Outcome o2 = run("inpaint", "--checkpoint", run.toString(), "--image", image.toString(), "--mask", mask.toString(),
                "--labels", labels.toString(), "--norm", "unconstrained", "--steps", "2", "--out", tmp.resolve("two").toString());
        assertEquals(0, o2.code(), o2.err());
    }

    @Test
    void generateEditAndPagRun() throws Exception {
        Path gen = tmp.resolve("gen");
        Outcome g = run("generate", "--checkpoint", run.toString(), "--data", data.toString(), "--count", "2", "--steps", "2",
                "--out", gen.toString());
        assertEquals(0, g.code(), g.err());
        JsonNode stats = Json.read(gen.resolve("colour-statistics.json"));
        assertEquals(11, stats.path("classes").size());
        assertEquals("fashion-scenes/train", stats.path("provenance").path("datasets").path("fit").path("name").asText());
        for (String f : List.of("0000_seed.png", "0001_result.png", "0001_labels.png", "grid.png", "metrics.json")) {
            assertTrue(Files.exists(gen.resolve(f)), f);
        }
        Outcome layout = run("generate", "--checkpoint", run.toString(), "--layout", labels.toString(), "--statistics",
                gen.resolve("colour-statistics.json").toString(), "--steps", "2", "--seed-image", "uniform", "--out",
                tmp.resolve("gen1").toString());
        assertEquals(0, layout.code(), layout.err());

        int from = java.util.Arrays.stream(sample.labels()).max().getAsInt();
        Outcome e = run("edit", "--checkpoint", run.toString(), "--image", image.toString(), "--labels", labels.toString(),
                "--from", Integer.toString(from), "--to", "bag", "--steps", "2", "--out", tmp.resolve("edit").toString());
        assertEquals(0, e.code(), e.err());
        JsonNode edit = Json.read(tmp.resolve("edit/metrics.json"));
        assertEquals("bag", edit.path("summary").path("to").asText());
        assertEquals("editing", edit.path("settings").path("method").asText());

        Path pag = tmp.resolve("pag");
        Outcome p = run("pag", "--checkpoint", run.toString(), "--checkpoint", run.resolve("checkpoints/epoch-0001.ckpt").toString(),
                "--judge", run.toString(), "--data", data.toString(), "--count", "2", "--steps", "2", "--gen-steps", "2",
                "--statistics", gen.resolve("colour-statistics.json").toString(), "--out", pag.toString());
        assertEquals(0, p.code(), p.err());
        JsonNode json = Json.read(pag.resolve("pag.json"));
        assertEquals(2, json.path("models").size());
        JsonNode row = json.path("models").get(0);
        for (String k : List.of("judgeAccuracyObjects", "selfAccuracyObjects", "psnr", "ssim", "gradientCosine", "gradientCosineBlurred")) {
            assertTrue(row.path("inpainting").path(k).isNumber(), k + " in " + row);
        }
        assertTrue(row.path("generation").path("judgeMiou").isNumber());
        for (String k : List.of("gradientCosine", "gradientCosineBlurred")) {
            double cos = row.path("inpainting").path(k).asDouble();
            assertTrue(cos >= -1 && cos <= 1, k + " = " + cos);
        }
        assertTrue(Files.readString(pag.resolve("pag.md")).contains("| real images |"));
        BufferedImage grid = Images.read(pag.resolve("inpainting.png"));
        assertTrue(grid.getWidth() > 4 * 128);
        assertTrue(Files.exists(pag.resolve("generation.png")));
    }

    @Test
    void badInputGivesOneClearErrorLine() throws Exception {
        String ck = run.toString();
        String out = tmp.resolve("bad").toString();
        Path small = tmp.resolve("small-mask.png");
        Images.writePng(small, org.robustseg.synth.Hole.box(1, 1, 4, 4, 32, 32).toImage());
        assertOneLineError(run("inpaint", "--checkpoint", ck, "--image", image.toString(), "--mask", small.toString(), "--class", "1",
                "--out", out), "small-mask.png");
        Path empty = tmp.resolve("empty-mask.png");
        Images.writePng(empty, new org.robustseg.synth.Hole(64, 64, new boolean[64 * 64]).toImage());
        assertOneLineError(run("inpaint", "--checkpoint", ck, "--image", image.toString(), "--mask", empty.toString(), "--class", "1",
                "--out", out), "empty");
        assertOneLineError(run("inpaint", "--checkpoint", ck, "--image", image.toString(), "--box", "60,10,10,10", "--class", "1",
                "--out", out), "--box");
        Outcome unknown = run("inpaint", "--checkpoint", ck, "--image", image.toString(), "--box", "1,1,10,10", "--class", "hat",
                "--out", out);
        assertOneLineError(unknown, "unknown class 'hat'");
        assertTrue(unknown.err().contains("ankle boot"), unknown.err());
        assertOneLineError(run("edit", "--checkpoint", ck, "--image", image.toString(), "--labels", labels.toString(), "--from", "shirt",
                "--to", "scarf", "--out", out), "scarf");
        Path badLayout = tmp.resolve("bad-layout.png");
        int[] values = new int[64 * 64];
        values[100] = 12;
        LabelMaps.write(badLayout, new LabelMap(64, 64, values), FashionScenes.classes().palette());
        assertOneLineError(run("generate", "--checkpoint", ck, "--layout", badLayout.toString(), "--data", data.toString(),
                "--out", out), "bad-layout.png");
        Path gray = tmp.resolve("gray.png");
        BufferedImage g = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        Images.writePng(gray, g);
        assertOneLineError(run("inpaint", "--checkpoint", ck, "--image", gray.toString(), "--box", "1,1,10,10", "--class", "1",
                "--out", out), "not RGB");
        Path five = tmp.resolve("five.ckpt");
        try (SegmentationModel m = SegmentationModel.create("pspnet-lite", 5, 0)) {
            Checkpoint.save(five, m, Json.object(), null);
        }
        assertOneLineError(run("inpaint", "--checkpoint", five.toString(), "--data", data.toString(), "--count", "1", "--out", out),
                "5 classes");
        assertOneLineError(run("inpaint", "--checkpoint", ck, "--image", image.toString(), "--out", out), "exactly one of --mask and --box");
        assertTrue(Files.notExists(tmp.resolve("bad").resolve("metrics.json")));
    }
}
