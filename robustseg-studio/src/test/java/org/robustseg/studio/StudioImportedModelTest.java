package org.robustseg.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.robustseg.studio.TinyStudio.events;
import static org.robustseg.studio.TinyStudio.get;
import static org.robustseg.studio.TinyStudio.pixels;
import static org.robustseg.studio.TinyStudio.postJson;
import static org.robustseg.studio.TinyStudio.square;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.data.DataSets;
import org.robustseg.data.Images;
import org.robustseg.data.Split;
import org.robustseg.studio.TinyStudio.Event;
import org.robustseg.studio.TinyStudio.Reply;

/**
 * Imported networks in the studio, beside a model of robustseg's own: the few-KB TorchScript and
 * ONNX fixtures of robustseg-core (made by its make_fixtures.py) with their model cards. The
 * TorchScript network paints a hole like any model; the ONNX network predicts, and a mode that
 * needs its gradients is refused before it is queued.
 */
class StudioImportedModelTest {
    static final Path FIXTURES = Path.of("../robustseg-core/src/test/resources/interop").toAbsolutePath().normalize();
    static Studio studio;

    @BeforeAll
    static void start() {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("standard", TinyStudio.root().resolve("models").resolve("standard"));
        models.put("imported", FIXTURES.resolve("tiny.card.json"));
        models.put("onnx", FIXTURES.resolve("tiny_onnx.card.json"));
        studio = Studio.start(models, TinyStudio.data(), null, TinyStudio.limits(2, 60), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        studio.close();
    }

    static Map<String, Object> job(String mode, List<String> models, Object... fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("models", models);
        m.put("image", Map.of("scene", 0));
        for (int i = 0; i < fields.length; i += 2) {
            m.put((String) fields[i], fields[i + 1]);
        }
        return m;
    }

    static List<Event> runToEnd(Map<String, Object> body) {
        Reply r = postJson(studio, "/api/jobs", body);
        assertEquals(202, r.status(), r.json().toString());
        List<Event> ev = events(studio, r.json().path("id").asText(), e -> e.name().equals("end"));
        assertEquals("done", ev.get(ev.size() - 1).data().path("status").asText(), ev.get(ev.size() - 1).toString());
        return ev;
    }

    static JsonNode result(List<Event> ev, String model) {
        return ev.stream().filter(e -> e.name().equals("result") && e.data().path("model").asText().equals(model))
                .findFirst().orElseThrow(() -> new AssertionError("no result for " + model)).data();
    }

    @Test
    void listsTheImportedNetworksWithWhatTheyCanDo() {
        JsonNode models = get(studio, "/api/studio").json().path("models");
        assertEquals(3, models.size());
        assertEquals("torchscript", models.get(1).path("architecture").asText());
        assertEquals("tiny", models.get(1).path("checkpoint").asText(), "the card's name labels it");
        assertTrue(models.get(1).path("gradients").asBoolean());
        assertEquals("onnx", models.get(2).path("architecture").asText());
        assertFalse(models.get(2).path("gradients").asBoolean(true), "ONNX: inference only");
    }

    @Test
    void anImportedTorchScriptNetworkInpaintsBesideARobustsegModel() {
        int[] mask = square(20, 20, 16);
        List<Event> ev = runToEnd(job("inpaint", List.of("standard", "imported"), "mask", mask, "class", "bag", "steps", 5));
        JsonNode imported = result(ev, "imported");
        float[] out = pixels(imported.path("pictures").path("result").asText());
        float[] before = DataSets.open(TinyStudio.data(), Split.VAL).get(0).image().clone();
        for (int i = 0; i < before.length; i++) {
            before[i] = Images.quantize(before[i]); // the picture is an 8-bit PNG
        }
        int changed = 0;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 64 * 64; p++) {
                int k = c * 64 * 64 + p;
                if (mask[p] == 0) {
                    assertEquals(before[k], out[k], 1e-6f, "pixel " + p + " outside the hole changed");
                } else if (Math.abs(before[k] - out[k]) > 1e-3f) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 100, "the imported network's gradients painted the hole (" + changed + " values changed)");
        JsonNode f = imported.path("figures");
        assertTrue(f.path("loss_after").asDouble() < f.path("loss_before").asDouble(), "the loss fell " + f);
    }

    @Test
    void anOnnxNetworkPredictsAndIsRefusedWhereGradientsAreNeeded() {
        List<Event> ev = runToEnd(job("predict", List.of("imported", "onnx")));
        for (String model : List.of("imported", "onnx")) {
            assertTrue(result(ev, model).path("figures").path("pixel_accuracy").asDouble() >= 0, model);
        }
        // the ONNX file is the same tiny network as the TorchScript one: the same prediction
        assertEquals(result(ev, "imported").path("figures").path("pixel_accuracy").asDouble(),
                result(ev, "onnx").path("figures").path("pixel_accuracy").asDouble(), 1e-9);
        for (String mode : List.of("inpaint", "attack", "saliency")) {
            Object[] fields = switch (mode) {
                case "inpaint" -> new Object[] {"mask", square(20, 20, 16), "class", "bag"};
                case "attack" -> new Object[] {"attack", "pgd", "eps", 8 / 255.0};
                default -> new Object[] {"class", "bag"};
            };
            Reply r = postJson(studio, "/api/jobs", job(mode, List.of("imported", "onnx"), fields));
            assertEquals(400, r.status(), mode + ": " + r.json());
            String msg = r.error();
            assertTrue(msg.contains("'onnx'") && msg.contains("ONNX") && msg.contains(mode) && !msg.contains("\n"), msg);
        }
    }
}
