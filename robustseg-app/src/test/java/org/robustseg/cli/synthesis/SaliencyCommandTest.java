package org.robustseg.cli.synthesis;

import org.robustseg.cli.Cli;
import org.robustseg.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.robustseg.cli.Cli.assertOneLineError;
import static org.robustseg.cli.Cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.cli.Cli.Outcome;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Images;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;

/** {@code saliency} end to end on a tiny trained model, and its bad-input errors. */
public class SaliencyCommandTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static Path pictures;
    static Path image;
    static Path labels;

    @BeforeAll
    static void trainTinyModel() {
        data = tmp.resolve("data");
        FashionScenes.builder().trainSize(16).valSize(3).seed(5).build().write(data);
        run = tmp.resolve("run");
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val",
                "--out", run.toString()));
        var sample = DataSets.open(data, Split.VAL).get(0);
        pictures = tmp.resolve("pictures");
        image = pictures.resolve("scene.png");
        Images.writePng(image, Images.fromChw(sample.image(), 64, 64));
        labels = tmp.resolve("scene-labels.png");
        LabelMaps.write(labels, new LabelMap(64, 64, sample.labels()), FashionScenes.classes().palette());
    }

    @Test
    void dataSetModeWritesStripsGridAndFiguresForEachCheckpoint() throws Exception {
        Path out = tmp.resolve("sal");
        SegDataset val = DataSets.open(data, Split.VAL);
        int present = java.util.Arrays.stream(val.get(0).labels()).max().getAsInt(); // a class the first image shows
        Outcome o = run("saliency", "--checkpoint", run.toString(), "--checkpoint", run.resolve("checkpoints/epoch-0001.ckpt").toString(),
                "--label", "first", "--label", "second", "--data", data.toString(), "--count", "3", "--batch", "2",
                "--class", Integer.toString(present), "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        for (int i = 0; i < 3; i++) {
            BufferedImage strip = Images.read(out.resolve(String.format("%04d_saliency.png", i)));
            assertTrue(strip.getWidth() >= 6 * 128, "image, labels and two maps per checkpoint: " + strip.getWidth());
        }
        assertTrue(Files.exists(out.resolve("grid.png")));
        JsonNode json = Json.read(out.resolve("saliency.json"));
        assertEquals("saliency", json.path("provenance").path("command").asText());
        assertTrue(json.path("provenance").path("datasets").has("saliency"));
        assertEquals(2, json.path("provenance").path("checkpoints").size());
        assertEquals(present, json.path("settings").path("classId").asInt());
        assertEquals(FashionScenes.classes().names().get(present), json.path("settings").path("className").asText());
        assertEquals("logit", json.path("settings").path("score").asText());
        JsonNode models = json.path("models");
        assertEquals(2, models.size());
        assertTrue(models.get(0).path("checkpoint").path("file").asText().endsWith("epoch-0001.ckpt"));
        JsonNode summary = models.get(0).path("predicted_map");
        assertEquals(3, summary.path("images").asInt(), summary.toString());
        double conc = summary.path("objectConcentrationMean").asDouble();
        assertTrue(conc > 0 && Double.isFinite(conc), summary.toString());
        // the same weights twice: the same figures
        assertEquals(summary, models.get(1).path("predicted_map"));

        JsonNode classSummary = models.get(0).path("class_map");
        assertTrue(classSummary.path("images").asInt() >= 1, classSummary.toString());
        JsonNode first = json.path("images").get(0).path("models").get(0).path("class_map");
        long ofClass = java.util.Arrays.stream(val.get(0).labels()).filter(v -> v == present).count();
        assertEquals(ofClass / 4096.0, first.path("objectAreaShare").asDouble(), 1e-12, "class map measured on its own class");
        // per-image figures agree with the label maps: area share = object pixels / all, concentration = energy / area share
        for (int i = 0; i < 3; i++) {
            JsonNode f = json.path("images").get(i).path("models").get(0).path("predicted_map");
            long objects = java.util.Arrays.stream(val.get(i).labels()).filter(v -> v != 0).count();
            assertEquals(objects / 4096.0, f.path("objectAreaShare").asDouble(), 1e-12);
            assertEquals(f.path("objectEnergyShare").asDouble() / f.path("objectAreaShare").asDouble(),
                    f.path("objectConcentration").asDouble(), 1e-9);
            assertTrue(json.path("images").get(i).path("models").get(0).has("class_map"));
        }
    }

    @Test
    void oneImageWritesItsHeatMapBesideTheImage() throws Exception {
        Outcome o = run("saliency", "--checkpoint", run.toString(), "--image", image.toString(), "--labels", labels.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.exists(pictures.resolve("scene_saliency.png")));
        JsonNode json = Json.read(pictures.resolve("scene_saliency.json"));
        assertEquals("image", json.path("settings").path("mode").asText());
        assertTrue(json.path("images").get(0).path("models").get(0).path("predicted_map").path("objectConcentration").isNumber());
        assertTrue(json.path("provenance").path("inputs").path("image").asText().endsWith("scene.png"));

        Path out = tmp.resolve("nolabels");
        Outcome plain = run("saliency", "--checkpoint", run.toString(), "--image", image.toString(), "--class", "3", "--out", out.toString());
        assertEquals(0, plain.code(), plain.err());
        BufferedImage strip = Images.read(out.resolve("scene_saliency.png"));
        assertTrue(strip.getWidth() >= 3 * 128, "image, whole map and class map: " + strip.getWidth());
        JsonNode m = Json.read(out.resolve("scene_saliency.json")).path("images").get(0).path("models").get(0);
        assertTrue(m.path("predicted_map").isNull(), "no label map, no alignment figures: " + m);
        assertTrue(m.path("class_absent_from_prediction").isBoolean());
    }

    @Test
    void badInputGivesOneClearErrorLineAndWritesNothing() throws Exception {
        String ck = run.toString();
        Path out = tmp.resolve("bad");
        String o = out.toString();
        Path missing = tmp.resolve("no-such.png");
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", missing.toString(), "--out", o), "no-such.png");
        Path garbage = tmp.resolve("garbage.png");
        Files.write(garbage, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", garbage.toString(), "--out", o), "garbage.png");
        Path gray = tmp.resolve("gray.png");
        Images.writePng(gray, new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY));
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", gray.toString(), "--out", o), "not RGB");
        Path tiny = tmp.resolve("tiny.png");
        Images.writePng(tiny, new BufferedImage(4, 6, BufferedImage.TYPE_INT_RGB));
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", tiny.toString(), "--out", o), "tiny.png: image is 4x6");
        Outcome unknown = run("saliency", "--checkpoint", ck, "--image", image.toString(), "--class", "hat", "--out", o);
        assertOneLineError(unknown, "unknown class 'hat'");
        assertTrue(unknown.err().contains("ankle boot"), unknown.err());
        assertOneLineError(run("saliency", "--checkpoint", ck, "--data", data.toString(), "--class", "11", "--out", o), "--class 11");
        Path five = tmp.resolve("five.ckpt");
        try (SegmentationModel m = SegmentationModel.create("pspnet-lite", 5, 0)) {
            Checkpoint.save(five, m, Json.object(), null);
        }
        assertOneLineError(run("saliency", "--checkpoint", ck, "--checkpoint", five.toString(), "--data", data.toString(),
                "--count", "1", "--out", o), "five.ckpt predicts 5 classes");
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", image.toString(), "--data", data.toString(), "--out", o),
                "exactly one of --image");
        assertOneLineError(run("saliency", "--checkpoint", ck, "--image", image.toString(), "--score", "softmax", "--out", o),
                "--score");
        assertTrue(Files.notExists(out), "nothing written on bad input");
    }
}
