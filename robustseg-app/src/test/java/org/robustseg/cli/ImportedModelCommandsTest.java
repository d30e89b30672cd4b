package org.robustseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.robustseg.cli.Cli.assertOneLineError;
import static org.robustseg.cli.Cli.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.cli.Cli.Outcome;
import org.robustseg.data.FashionScenes;
import org.robustseg.model.ModelSpec;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;

/**
 * Every command on an imported network: the few-KB TorchScript and ONNX fixtures of
 * robustseg-core (made by make_fixtures.py there) with their cards, on a tiny FashionScenes.
 */
class ImportedModelCommandsTest {
    static final Path FIXTURES = Path.of("../robustseg-core/src/test/resources/interop").toAbsolutePath().normalize();
    static final String CARD = FIXTURES.resolve("tiny.card.json").toString();
    static final String ONNX = FIXTURES.resolve("tiny_onnx.card.json").toString();

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = tmp.resolve("data");
        FashionScenes.builder().trainSize(8).valSize(4).seed(2).build().write(data);
    }

    private static Outcome ok(String... args) {
        Outcome o = run(args);
        assertEquals(0, o.code(), String.join(" ", args) + ": " + o.err());
        return o;
    }

    @Test
    void everyCommandTakesAnImportedTorchScriptNetwork() throws Exception {
        String d = data.toString();
        ok("eval", "--checkpoint", CARD, "--data", d, "--out", tmp.resolve("eval").toString());
        JsonNode metrics = Json.read(tmp.resolve("eval/metrics.json"));
        assertEquals(ModelSpec.TORCHSCRIPT, metrics.path("provenance").path("checkpoint").path("model").path("name").asText());
        assertTrue(metrics.path("provenance").path("checkpoint").path("model").path("sha256").asText().length() == 64);

        for (String attack : List.of("fgsm", "bim", "pgd", "apgd", "segpgd", "sea", "sea-pgd", "square")) {
            ok("attack", "--checkpoint", CARD, "--attack", attack, attack.equals("square") ? "--queries" : "--steps",
                    attack.equals("sea") ? "3" : "2", "--eps", "8/255", "--data", d, "--examples", "0",
                    "--out", tmp.resolve("attack-" + attack).toString());
        }
        ok("attack", "--checkpoint", CARD, "--attack", "targeted", "--target-class", "0", "--steps", "2", "--eps", "8/255",
                "--data", d, "--examples", "0", "--out", tmp.resolve("attack-targeted").toString());
        JsonNode curve = Json.read(tmp.resolve("attack-pgd/robustness.json"));
        assertTrue(curve.toString().contains("tiny"), "the card names the model: " + curve);

        // adversarial fine-tuning: the weights change, the checkpoint holds the module and serves every command again
        Path tuned = tmp.resolve("tuned");
        ok("train", "--init", CARD, "--recipe", "pgd-at", "--attack-steps", "1", "--epochs", "1", "--batch", "4", "--no-val",
                "--data", d, "--out", tuned.toString());
        try (SegmentationModel before = Checkpoint.load(Path.of(CARD)); SegmentationModel after = Checkpoint.load(tuned);
             NDManager m = before.manager().newSubManager()) {
            assertEquals(ModelSpec.TORCHSCRIPT, after.name());
            List<Parameter> a = new ArrayList<>(before.block().getParameters().values());
            List<Parameter> b = new ArrayList<>(after.block().getParameters().values());
            assertEquals(a.size(), b.size());
            double changed = 0;
            for (int i = 0; i < a.size(); i++) {
                changed += a.get(i).getArray().sub(b.get(i).getArray()).abs().sum().getFloat();
            }
            assertTrue(changed > 0, "fine-tuning moved the weights");
            assertEquals(new Shape(1, 11, 16, 16), after.logits(m.zeros(new Shape(1, 3, 16, 16))).getShape());
        }
        // --resume finds the run's model (the imported network) without --init; the run is complete, so nothing changes
        ok("train", "--recipe", "pgd-at", "--attack-steps", "1", "--epochs", "1", "--batch", "4", "--no-val",
                "--data", d, "--out", tuned.toString(), "--resume");
        for (String recipe : List.of("standard", "trades", "sat", "fast-at")) {
            ok("train", "--init", CARD, "--recipe", recipe, "--epochs", "1", "--batch", "4", "--no-val",
                    "--data", d, "--out", tmp.resolve("tuned-" + recipe).toString());
        }
        assertOneLineError(run("train", "--init", CARD, "--recipe", "advprop", "--epochs", "1", "--batch", "4", "--no-val",
                "--data", d, "--out", tmp.resolve("advprop").toString()), "second set of BatchNorms");

        Outcome cmp = ok("compare", "--checkpoint", CARD, "--checkpoint", tuned.toString(), "--steps", "1", "--sea-steps", "2", "--data", d,
                "--out", tmp.resolve("compare").toString());
        String table = Files.readString(tmp.resolve("compare/compare.md"));
        assertTrue(table.contains("tiny") && table.contains("imported") && table.contains("tuned"), table);

        Path export = tmp.resolve("export");
        ok("export", "--checkpoint", tuned.toString(), "--format", "torchscript", "--out", export.toString());
        ok("eval", "--checkpoint", export.toString(), "--data", d, "--out", tmp.resolve("eval-export").toString());
        assertEquals(Json.read(tmp.resolve("eval-export/metrics.json")).path("meanIou").asDouble(),
                evalOf(tuned, "eval-tuned").path("meanIou").asDouble(), 1e-9, "the exported module is the fine-tuned one");

        ok("inpaint", "--checkpoint", CARD, "--data", d, "--count", "2", "--hole", "12", "--steps", "2", "--batch", "2",
                "--out", tmp.resolve("inpaint").toString());
        ok("generate", "--checkpoint", CARD, "--data", d, "--count", "2", "--steps", "2", "--out", tmp.resolve("generate").toString());
        Path labels = data.resolve("SegmentationClass").resolve(Files.list(data.resolve("SegmentationClass")).findFirst()
                .orElseThrow().getFileName());
        ok("edit", "--checkpoint", CARD, "--image", labelsImage(labels), "--labels", labels.toString(), "--from", "0", "--to", "bag",
                "--steps", "2", "--out", tmp.resolve("edit").toString());
        ok("saliency", "--checkpoint", CARD, "--data", d, "--count", "2", "--out", tmp.resolve("saliency").toString());
        ok("pag", "--checkpoint", CARD, "--checkpoint", tuned.toString(), "--judge", CARD, "--data", d, "--count", "2",
                "--steps", "2", "--gen-steps", "2", "--statistics", tmp.resolve("generate/colour-statistics.json").toString(),
                "--out", tmp.resolve("pag").toString());
    }

    private static JsonNode evalOf(Path checkpoint, String name) {
        ok("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--out", tmp.resolve(name).toString());
        return Json.read(tmp.resolve(name).resolve("metrics.json"));
    }

    /** The RGB scene that goes with a label map of the data set. */
    private static String labelsImage(Path labels) {
        String stem = labels.getFileName().toString().replace(".png", "");
        return data.resolve("JPEGImages").resolve(stem + ".png").toString();
    }

    @Test
    void anOnnxNetworkEvaluatesAndTakesTheSquareAttackAndIsRefusedWhereGradientsAreNeeded() {
        String d = data.toString();
        ok("eval", "--checkpoint", ONNX, "--data", d, "--out", tmp.resolve("onnx-eval").toString());
        ok("attack", "--checkpoint", ONNX, "--attack", "square", "--queries", "5", "--eps", "0,8/255", "--data", d,
                "--examples", "0", "--out", tmp.resolve("onnx-square").toString());
        String o = tmp.resolve("onnx-refused").toString();
        assertOneLineError(run("attack", "--checkpoint", ONNX, "--data", d, "--out", o), "ONNX model: inference only");
        assertOneLineError(run("compare", "--checkpoint", ONNX, "--data", d, "--out", o), "ONNX model: inference only");
        assertOneLineError(run("train", "--init", ONNX, "--data", d, "--epochs", "1", "--batch", "4", "--out", o),
                "ONNX model: inference only");
        assertOneLineError(run("inpaint", "--checkpoint", ONNX, "--data", d, "--count", "1", "--out", o), "ONNX model: inference only");
        assertOneLineError(run("generate", "--checkpoint", ONNX, "--data", d, "--count", "1", "--out", o), "ONNX model: inference only");
        assertOneLineError(run("saliency", "--checkpoint", ONNX, "--data", d, "--count", "1", "--out", o), "ONNX model: inference only");
        assertOneLineError(run("pag", "--checkpoint", ONNX, "--judge", CARD, "--data", d, "--count", "1", "--out", o),
                "ONNX model: inference only");
        assertTrue(Files.notExists(Path.of(o)), "nothing written");
    }

    @Test
    void badCardsAndFilesGetOneLineNamingTheCulprit() throws Exception {
        String d = data.toString();
        String o = tmp.resolve("bad").toString();
        Path card = tmp.resolve("five.card.json");
        Files.writeString(card, Files.readString(Path.of(CARD)).replace("\"tiny.pt\"", "\"" + FIXTURES.resolve("tiny.pt") + "\"")
                .replaceFirst("\"trouser\",", ""));
        assertOneLineError(run("eval", "--checkpoint", card.toString(), "--data", d, "--out", o), "the card's 10 classes");
        Path broken = tmp.resolve("broken.card.json");
        Files.writeString(broken, Files.readString(Path.of(CARD)).replace("\"std\"", "\"sd\""));
        assertOneLineError(run("attack", "--checkpoint", broken.toString(), "--data", d, "--out", o), "missing field 'std'");
        Path notScript = tmp.resolve("garbage.pt");
        Files.writeString(notScript, "garbage");
        Files.writeString(tmp.resolve("garbage.card.json"), Files.readString(Path.of(CARD)).replace("\"tiny.pt\"", "\"garbage.pt\""));
        assertOneLineError(run("eval", "--checkpoint", notScript.toString(), "--data", d, "--out", o), "garbage.pt is not a TorchScript file");
        assertOneLineError(run("export", "--checkpoint", CARD, "--format", "safetensors", "--out", o), "--format torchscript");
        assertOneLineError(run("train", "--init", CARD, "--model", "pspnet-lite", "--data", d, "--out", o), "leave --model out");
        assertTrue(Files.notExists(Path.of(o)), "nothing written on bad input");
    }
}
