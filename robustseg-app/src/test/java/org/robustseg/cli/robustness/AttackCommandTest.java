package org.robustseg.cli.robustness;

import org.robustseg.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.data.FashionScenes;
import org.robustseg.provenance.Json;

/** {@code ./run attack} end to end on a tiny data set, and its bad-input errors. */
public class AttackCommandTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    @BeforeAll
    static void trainTinyModel() {
        data = tmp.resolve("data");
        FashionScenes.builder().trainSize(32).valSize(8).seed(2).build().write(data);
        run = tmp.resolve("run");
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "2", "--batch", "8", "--no-val",
                "--out", run.toString()));
    }

    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void writesOneEntryPerCheckpointAndBudgetWithCurveAndExamples() throws IOException {
        Path out = tmp.resolve("attack");
        String[] r = run("attack", "--checkpoint", run.toString(), "--checkpoint", run.resolve("checkpoints/epoch-0001.ckpt").toString(),
                "--data", data.toString(), "--eps", "0,4/255,8/255", "--steps", "3", "--batch", "4", "--examples", "2",
                "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        JsonNode entries = Json.read(out.resolve("robustness.json"));
        assertEquals(6, entries.size());
        assertEquals(8 / 255.0, entries.get(2).path("eps").asDouble(), 1e-6);
        for (JsonNode e : entries) {
            for (String key : List.of("eps", "miou", "pixel_accuracy", "per_class_iou", "attack", "provenance", "checkpoint")) {
                assertTrue(e.has(key), "missing " + key + " in " + e);
            }
            assertEquals("pgd", e.path("attack").path("name").asText());
            assertEquals(3, e.path("attack").path("steps").asInt());
        }
        // budget 0 is the clean evaluation: equal to what eval reports
        assertEquals(0, Main.execute("eval", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("ev").toString()));
        double clean = Json.read(tmp.resolve("ev/metrics.json")).path("miou").asDouble();
        assertEquals(clean, entries.get(0).path("miou").asDouble(), 1e-12);
        // PGD starts at a random point and never offers the clean image as a candidate, so this is not
        // true by construction: at 8/255 a working attack must lower pixel accuracy strictly below clean
        double cleanAccuracy = entries.get(0).path("pixel_accuracy").asDouble();
        assertTrue(entries.get(2).path("pixel_accuracy").asDouble() < cleanAccuracy,
                "pgd 8/255 " + entries.get(2).path("pixel_accuracy").asDouble() + " vs clean " + cleanAccuracy);
        BufferedImage curve = ImageIO.read(out.resolve("robustness.png").toFile());
        assertNotNull(curve);
        assertEquals(640, curve.getWidth());
        BufferedImage grid = ImageIO.read(out.resolve("examples.png").toFile());
        assertNotNull(grid);
        assertTrue(grid.getHeight() > 4 * 128, "two checkpoints x two examples of 128-pixel tiles");
    }

    /** The new presets run from the command line; the masking flags land in every entry and on the console. */
    @Test
    void apgdSeaAndSquareRunAndTheMaskingFlagsAreRecorded() throws IOException {
        for (String attack : List.of("apgd", "sea", "sea-pgd", "square")) {
            Path out = tmp.resolve("attack-" + attack);
            List<String> args = new java.util.ArrayList<>(List.of("attack", "--checkpoint", run.toString(), "--data", data.toString(),
                    "--eps", "0,8/255", "--batch", "4", "--limit", "4", "--examples", "0", "--attack", attack, "--out", out.toString()));
            args.addAll(attack.equals("square") ? List.of("--queries", "5") : List.of("--steps", "3"));
            if (attack.equals("apgd")) {
                args.addAll(List.of("--masking-check", "--queries", "10"));
            }
            String[] r = run(args.toArray(String[]::new));
            assertEquals("0", r[0], r[1]);
            JsonNode entries = Json.read(out.resolve("robustness.json"));
            assertEquals(attack, entries.get(1).path("attack").path("name").asText());
            if (!attack.equals("square")) { // the gradient attacks keep the clean start as a candidate; Square starts from stripes
                assertTrue(entries.get(1).path("pixel_accuracy").asDouble() <= entries.get(0).path("pixel_accuracy").asDouble() + 1e-9, attack);
            }
            if (attack.equals("apgd")) {
                for (JsonNode e : entries) {
                    JsonNode flags = e.path("gradient_masking");
                    assertEquals(4, flags.size(), e.toString());
                    assertEquals("black-box-beats-white-box", flags.get(0).path("name").asText());
                    assertTrue(flags.get(0).has("raised") && flags.get(0).has("evidence"), flags.toString());
                }
            } else {
                assertTrue(entries.get(1).path("gradient_masking").isMissingNode(), attack);
            }
        }
        expect(run("attack", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad2").toString(),
                "--attack", "square", "--steps", "3"), "--queries");
        expect(run("attack", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad3").toString(),
                "--attack", "targeted", "--target-class", "1", "--masking-check"), "--masking-check");
    }

    /**
     * --no-random-start: PGD from the clean image (how bench/reference/parity.py compares it with a
     * PyTorch PGD), recorded in every entry; with no random start left, the seed cannot change the figures.
     */
    @Test
    void noRandomStartIsRecordedAndRemovesTheSeedsInfluence() throws IOException {
        double[] miou = new double[2];
        long[] seeds = {0, 7};
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("attack-fixed-start-" + i);
            String[] r = run("attack", "--checkpoint", run.toString(), "--data", data.toString(), "--eps", "8/255", "--steps", "2",
                    "--batch", "4", "--limit", "4", "--examples", "0", "--no-random-start", "--seed", Long.toString(seeds[i]),
                    "--out", out.toString());
            assertEquals("0", r[0], r[1]);
            JsonNode entry = Json.read(out.resolve("robustness.json")).get(0);
            assertEquals(false, entry.path("attack").path("random_start").asBoolean(true), entry.toString());
            assertEquals(seeds[i], entry.path("attack").path("seed").asLong());
            miou[i] = entry.path("miou").asDouble();
        }
        assertEquals(miou[0], miou[1], 0.0);
        Path preset = tmp.resolve("attack-preset-start");
        assertEquals("0", run("attack", "--checkpoint", run.toString(), "--data", data.toString(), "--eps", "8/255", "--steps", "1",
                "--batch", "4", "--limit", "4", "--examples", "0", "--out", preset.toString())[0]);
        assertTrue(Json.read(preset.resolve("robustness.json")).get(0).path("attack").path("random_start").asBoolean(false));
        expect(run("attack", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad4").toString(),
                "--attack", "square", "--no-random-start"), "random-start");
    }

    /**
     * compare with the costly columns on a subset: every column at every budget with its time, the
     * cheap ones on all four images and the costly ones on two (images 0 and 2), their figures on the
     * subset, per-image and per-object figures, the flags the figures allow.
     */
    @Test
    void compareWritesOneRowPerCheckpointWithEveryColumnItsTimeAndTheSubsetFigures() throws IOException {
        Path out = tmp.resolve("compare");
        String[] r = run("compare", "--checkpoint", run.toString(), "--data", data.toString(), "--limit", "4", "--steps", "2",
                "--batch", "4", "--attacks", "pgd,sea-pgd,square", "--subset", "2", "--queries", "50", "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        JsonNode rows = Json.read(out.resolve("compare.json")).path("rows");
        assertEquals(1, rows.size());
        JsonNode row = rows.get(0);
        for (String key : List.of("clean_miou", "pgd_4_miou", "pgd_8_miou", "sea_pgd_4_miou", "sea_pgd_8_miou", "square_8_miou", "sea_pgd_8_seconds", "square_4_seconds", "training_seconds", "seconds_per_epoch")) {
            assertTrue(row.has(key), "missing " + key);
        }
        assertEquals("standard", row.path("recipe").asText());
        assertTrue(row.path("training_seconds").asDouble() > 0);
        // both PGD attacks start at random points (no clean candidate), so lowering pixel accuracy strictly
        // below clean at 8/255 is a real check that they attack, not a property of the bookkeeping
        double clean = row.path("clean_pixel_accuracy").asDouble();
        assertTrue(row.path("pgd_8_pixel_accuracy").asDouble() < clean, "pgd 8/255 vs clean " + clean + ": " + row);
        assertTrue(row.path("sea_pgd_8_pixel_accuracy").asDouble() < clean, "sea-pgd 8/255 vs clean " + clean + ": " + row);
        JsonNode columns = row.path("columns");
        assertEquals(6, columns.size());
        for (JsonNode c : columns) {
            boolean costly = c.path("attack").asText().equals("square");
            assertEquals(costly, c.path("on_subset").asBoolean(), c.toString());
            assertEquals(costly ? 2 : 4, c.path("images").asInt(), c.toString());
            assertEquals(costly ? 2 : 4, c.path("image_figures").path("images").asInt());
            assertTrue(c.path("image_figures").path("image_miou").isNumber(), c.toString());
            assertTrue(c.path("image_figures").path("by_size").has("small"), c.toString());
            assertTrue(c.path("image_figures").path("worst_images").get(0).path("id").asText().startsWith("val_"), c.toString());
            assertTrue(c.path("seconds").asDouble() > 0);
        }
        assertEquals("[0,2]", row.path("subset").path("indices").toString());
        // a costly column's subset figures are its own; a cheap one's are recounted on the subset's images
        assertEquals(row.path("square_8_miou").asDouble(), row.path("subset").path("figures").path("square_8").path("miou").asDouble(), 1e-12);
        assertTrue(row.path("subset").path("figures").path("pgd_8").path("pixels").asLong() < columns.get(1).path("pixels").asLong());
        List<String> flags = new java.util.ArrayList<>();
        row.path("gradient_masking").forEach(f -> flags.add(f.path("name").asText()));
        assertEquals(List.of("black-box-beats-white-box", "accuracy-rises-with-eps"), flags);
        String md = java.nio.file.Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("| run (epoch 2) | standard |"), md);
        assertTrue(md.contains("Square-50 8/255 †") && md.contains("Seconds per column") && md.contains("per-image mIoU"), md);
        expect(run("compare", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad4").toString(),
                "--attacks", "pgd,deepfool"), "deepfool");
        expect(run("compare", "--checkpoint", run.toString(), "--data", data.toString(), "--out", tmp.resolve("bad5").toString(),
                "--subset", "-1"), "--subset");
    }

    @Test
    void badOptionsGiveOneLineErrorsNamingTheOption() {
        String ckpt = run.toString();
        String d = data.toString();
        String o = tmp.resolve("bad").toString();
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--eps", "0,-1/255"), "--eps");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--eps", "1.5"), "--eps");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--eps", "abc"), "--eps");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--steps", "0"), "--steps");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--attack", "deepfool"), "deepfool");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--norm", "l1"), "l1");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--loss", "hinge"), "hinge");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--attack", "targeted", "--target-class", "11"),
                "--target-class");
        expect(run("attack", "--checkpoint", ckpt, "--data", d, "--out", o, "--attack", "targeted"), "--target-class");
    }

    private static void expect(String[] result, String mustContain) {
        assertTrue(!result[0].equals("0"), "should fail: " + result[1]);
        List<String> lines = result[1].lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, lines.size(), result[1]);
        assertTrue(lines.get(0).contains(mustContain), lines.get(0));
    }
}
