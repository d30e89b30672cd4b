package org.robustseg.demo;

import org.robustseg.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.provenance.Json;

/**
 * {@code ./run demo --quick} end to end: every stage runs, report.html holds every section and
 * every embedded image decodes, and a second run skips all work and reports the same figures.
 */
public class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickDemoWritesACompleteReportAndResumesWithoutRedoingWork() throws IOException {
        Path out = tmp.resolve("demo");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(err, true), "demo", "--quick", "--out", out.toString()), err.toString());

        String html = Files.readString(out.resolve("report.html"));
        for (String section : DemoReport.SECTIONS) {
            assertTrue(html.contains("<section id=\"" + section + "\">"), "report.html lacks section " + section);
        }
        assertTrue(!html.contains("http://") && !html.contains("https://"), "report.html must not load anything from the network");
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertNotNull(img, "embedded image " + images + " does not decode");
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
            images++;
        }
        assertTrue(images >= 4, "expected the robustness curve and the synthesis grids, found " + images + " images");
        assertEquals(html.split("<img ").length - 1, images, "every <img> must be an embedded PNG");

        JsonNode summary = Json.read(out.resolve("summary.json"));
        // the robustness stage: SEA as published and Square on the subset, per-image figures, the masking flags
        for (JsonNode row : summary.path("robustness").path("rows")) {
            for (String key : new String[] {"clean_miou", "pgd_4_miou", "pgd_8_miou", "sea_8_miou", "square_8_miou", "sea_8_seconds"}) {
                assertTrue(row.path(key).isNumber(), "missing " + key + " in " + row.path("name"));
            }
            assertEquals(1, row.path("subset").path("images").asInt());
            assertEquals(java.util.List.of("black-box-beats-white-box", "accuracy-rises-with-eps", "unbounded-attack-fails",
                    "more-steps-do-not-help"), names(row.path("gradient_masking")));
            assertEquals("SEA-30", row.path("columns").get(1).path("label").asText()); // the quick plan's smoke-run SEA
            assertTrue(row.path("clean").path("image_figures").path("image_miou").isNumber());
        }
        for (String text : new String[] {"SEA-30 8/255 †", "per-image mIoU", "Gradient-masking checks", "IoU per class"}) {
            assertTrue(html.contains(text), "report.html lacks '" + text + "'");
        }
        assertTrue(Files.exists(out.resolve("robustness/worst.png")), "the worst images under SEA");
        for (String model : new String[] {"standard", "robust", "judge"}) {
            assertTrue(Files.isDirectory(out.resolve("models").resolve(model)), "models/" + model);
        }
        assertTrue(Files.exists(out.resolve("data/dataset.json")));
        for (String kind : new String[] {"inpaint", "generate"}) {
            for (String model : new String[] {"standard", "robust"}) {
                Path dir = out.resolve(kind).resolve(model);
                assertTrue(Files.exists(dir.resolve("0000_result.png")), dir + "/0000_result.png");
                assertTrue(Files.exists(dir.resolve("0000_labels.png")), dir + "/0000_labels.png");
            }
        }

        // Second run: every stage is complete, nothing is retrained, the figures are the same.
        Path ckpt = out.resolve("models/standard/checkpoints/epoch-0002.ckpt");
        FileTime before = Files.getLastModifiedTime(ckpt);
        assertEquals(0, Main.execute(new PrintWriter(err, true), "demo", "--quick", "--out", out.toString()), err.toString());
        assertEquals(before, Files.getLastModifiedTime(ckpt));
        JsonNode again = Json.read(out.resolve("summary.json"));
        assertEquals(summary.path("robustness"), again.path("robustness"));
        assertEquals(summary.path("pag"), again.path("pag"));
        assertEquals(summary.path("stage_seconds"), again.path("stage_seconds"));
    }

    private static java.util.List<String> names(JsonNode flags) {
        java.util.List<String> names = new java.util.ArrayList<>();
        flags.forEach(f -> names.add(f.path("name").asText()));
        return names;
    }

    @Test
    void refusesToMixAQuickAndAFullDemoInOneDirectory() throws IOException {
        Path out = tmp.resolve("mixed");
        Files.createDirectories(out);
        Json.write(out.resolve("summary.json"), Json.object().set("plan", Json.object().put("name", "full")));
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(err, true), "demo", "--quick", "--out", out.toString()));
        assertTrue(err.toString().contains("--fresh"), err.toString());
    }
}
