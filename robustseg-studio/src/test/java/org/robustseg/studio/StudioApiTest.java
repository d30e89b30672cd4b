package org.robustseg.studio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.robustseg.studio.TinyStudio.delete;
import static org.robustseg.studio.TinyStudio.events;
import static org.robustseg.studio.TinyStudio.get;
import static org.robustseg.studio.TinyStudio.pixels;
import static org.robustseg.studio.TinyStudio.postBytes;
import static org.robustseg.studio.TinyStudio.postJson;
import static org.robustseg.studio.TinyStudio.square;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.data.DataSets;
import org.robustseg.data.Images;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.studio.TinyStudio.Event;
import org.robustseg.studio.TinyStudio.Reply;

/**
 * The studio's JSON API on two tiny models: every endpoint, every mode end to end with its
 * progress events, and one clear 4xx for each bad request (oversized body, not an image, unknown
 * model or class, too many queued jobs, a cancelled job, ...).
 */
class StudioApiTest {
    static Studio studio;
    static SegSample scene;

    @BeforeAll
    static void start() {
        studio = TinyStudio.start(TinyStudio.limits(2, 60));
        scene = DataSets.open(TinyStudio.data(), Split.VAL).get(0);
    }

    @AfterAll
    static void stop() {
        studio.close();
    }

    static Map<String, Object> job(String mode, Object... fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("models", List.of("standard", "robust"));
        if (!mode.equals("generate")) {
            m.put("image", Map.of("scene", 0));
        }
        for (int i = 0; i < fields.length; i += 2) {
            m.put((String) fields[i], fields[i + 1]);
        }
        return m;
    }

    /** Submits a job, follows its events to the end; returns the events. */
    static List<Event> runToEnd(Map<String, Object> body) {
        Reply r = postJson(studio, "/api/jobs", body);
        assertEquals(202, r.status(), r.json().toString());
        return events(studio, r.json().path("id").asText(), e -> e.name().equals("end"));
    }

    static void assertError(Reply r, int status, String mustContain) {
        assertEquals(status, r.status(), r.json().toString());
        assertEquals(1, r.json().size(), "one field, error: " + r.json());
        String msg = r.error();
        assertFalse(msg.isBlank());
        assertFalse(msg.contains("\n"), "one line: " + msg);
        assertTrue(msg.contains(mustContain), "error should say '" + mustContain + "': " + msg);
    }

    @Test
    void describesModelsClassesScenesAndLimits() {
        Reply r = get(studio, "/api/studio");
        assertEquals(200, r.status());
        JsonNode j = r.json();
        assertEquals(List.of("standard", "robust"), names(j.path("models")));
        assertEquals("pgd-at", j.path("models").get(1).path("recipe").asText());
        assertEquals(11, j.path("classes").size());
        assertEquals("bag", j.path("classes").get(9).path("name").asText());
        assertTrue(j.path("classes").get(9).path("colour").asText().matches("#[0-9a-f]{6}"));
        assertEquals(64, j.path("size").asInt());
        assertEquals(4, j.path("scenes").path("count").asInt());
        assertTrue(j.path("generation").asBoolean());
        assertEquals(2, j.path("limits").path("max_queued").asInt());
        assertEquals(60, j.path("modes").path("inpaint").asInt(), "the core preset's default");
    }

    @Test
    void servesScenesAndThePageFromTheJar() throws Exception {
        Reply r = get(studio, "/api/scenes/0");
        assertEquals(200, r.status());
        assertArrayEquals(quantised(scene.image()), pixels(r.json().path("image").asText()), 1e-6f);
        int[] ids = new int[64 * 64];
        for (int p = 0; p < ids.length; p++) {
            ids[p] = r.json().path("label_ids").get(p).asInt();
        }
        assertArrayEquals(scene.labels(), ids);
        assertError(get(studio, "/api/scenes/4"), 404, "0..3");
        assertError(get(studio, "/api/scenes/x"), 400, "integer");
        for (String asset : List.of("/", "/studio.js", "/studio.css")) {
            var page = TinyStudio.HTTP.send(java.net.http.HttpRequest.newBuilder(TinyStudio.uri(studio, asset)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), asset);
            assertFalse(page.body().contains("http://") || page.body().contains("https://"), asset + " loads nothing from elsewhere");
        }
        assertError(get(studio, "/api/nothing"), 404, "no endpoint");
    }

    @Test
    void inpaintsOnBothModelsWithLiveProgressAndChangesOnlyTheHole() {
        int[] mask = square(20, 20, 16);
        List<Event> ev = runToEnd(job("inpaint", "mask", mask, "class", "bag", "steps", 6));
        assertEquals("done", ev.get(ev.size() - 1).data().path("status").asText(), ev.get(ev.size() - 1).toString());
        float[] original = quantised(scene.image());
        for (String model : List.of("standard", "robust")) {
            List<JsonNode> progress = ev.stream().filter(e -> e.name().equals("progress") && e.data().path("model").asText().equals(model))
                    .map(Event::data).toList();
            assertFalse(progress.isEmpty(), model + ": progress events");
            JsonNode lastProgress = progress.get(progress.size() - 1);
            assertEquals(6, lastProgress.path("step").asInt(), model + " reached the last step");
            assertEquals(7, lastProgress.path("loss").size(), model + ": a loss per iterate, start included");
            assertTrue(progress.stream().anyMatch(p -> p.has("image")), model + ": intermediate images");
            JsonNode result = ev.stream().filter(e -> e.name().equals("result") && e.data().path("model").asText().equals(model))
                    .findFirst().orElseThrow().data();
            float[] out = pixels(result.path("pictures").path("result").asText());
            int changed = 0;
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 64 * 64; p++) {
                    int k = c * 64 * 64 + p;
                    if (mask[p] == 0) {
                        assertEquals(original[k], out[k], 1e-6f, model + ": pixel " + p + " outside the hole changed");
                    } else if (Math.abs(original[k] - out[k]) > 1e-3f) {
                        changed++;
                    }
                }
            }
            assertTrue(changed > 100, model + ": the hole was painted (" + changed + " values changed)");
            assertTrue(result.path("figures").path("loss_after").asDouble() < result.path("figures").path("loss_before").asDouble(),
                    model + ": the loss fell " + result.path("figures"));
            assertEquals("inpainting", result.path("settings").path("method").asText());
            assertEquals(6, result.path("settings").path("steps").asInt());
        }
        String id = ev.get(0).data().path("id").asText();
        JsonNode full = get(studio, "/api/jobs/" + id).json();
        assertEquals("done", full.path("status").asText());
        assertEquals(2, full.path("provenance").path("checkpoints").size(), "provenance names both checkpoints");
        assertEquals("scene:0", full.path("provenance").path("input").path("ref").asText());
        assertFalse(full.path("request").has("mask"), "the mask is recorded as a picture, not as 4096 numbers");
        assertTrue(full.path("models").get(1).path("result").path("pictures").has("target"));
    }

    @Test
    void everyModeRunsThroughTheCorePresets() {
        int[] layout = new int[64 * 64];
        Arrays.fill(layout, 32 * 64, 64 * 64, 9);
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        jobs.put("generate", job("generate", "layout", layout, "steps", 4));
        jobs.put("edit", job("edit", "click", Map.of("x", objectPixel() % 64, "y", objectPixel() / 64), "to", "bag", "steps", 4));
        jobs.put("attack", job("attack", "attack", "pgd", "eps", 8 / 255.0, "steps", 4));
        jobs.put("saliency", job("saliency", "class", "bag"));
        jobs.put("predict", job("predict"));
        for (Map.Entry<String, Map<String, Object>> e : jobs.entrySet()) {
            List<Event> ev = runToEnd(e.getValue());
            assertEquals("done", ev.get(ev.size() - 1).data().path("status").asText(), e.getKey() + ": " + ev.get(ev.size() - 1));
            List<JsonNode> results = ev.stream().filter(x -> x.name().equals("result")).map(Event::data).toList();
            assertEquals(2, results.size(), e.getKey());
            for (JsonNode r : results) {
                JsonNode f = r.path("figures");
                JsonNode p = r.path("pictures");
                assertNotNull(p.path(r.path("view").path("image").asText()).textValue(), e.getKey() + " shows its main picture");
                switch (e.getKey()) {
                    case "generate" -> {
                        assertEquals("generation", r.path("settings").path("method").asText());
                        assertTrue(f.path("loss_after").asDouble() < f.path("loss_before").asDouble(), "generation lowers the loss " + f);
                    }
                    case "edit" -> {
                        assertEquals("true labels", f.path("labels").asText());
                        assertTrue(f.path("object_pixels").asInt() > 0);
                    }
                    case "attack" -> {
                        assertTrue(f.path("perturbation_linf").asDouble() <= 8 / 255.0 + 1e-6, "within eps: " + f);
                        assertTrue(f.path("perturbation_linf").asDouble() > 0, "it moved: " + f);
                        assertTrue(f.path("accuracy_adversarial").asDouble() <= f.path("accuracy_clean").asDouble() + 1e-9,
                                "the attack does not help the model: " + f);
                        assertEquals("pgd", r.path("settings").path("name").asText());
                    }
                    case "saliency" -> assertTrue(f.has("object_concentration"), f.toString());
                    case "predict" -> assertTrue(f.path("pixel_accuracy").asDouble() >= 0, f.toString());
                    default -> throw new AssertionError(e.getKey());
                }
            }
        }
    }

    private static int objectPixel() {
        for (int p = 0; p < scene.labels().length; p++) {
            if (scene.labels()[p] != 0) {
                return p;
            }
        }
        throw new AssertionError("scene 0 has no object");
    }

    @Test
    void uploadsAreDecodedCutResizedAndUsable() throws Exception {
        BufferedImage wide = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 100; x++) {
            for (int y = 0; y < 80; y++) {
                wide.setRGB(x, y, x < 50 ? 0xff0000 : 0x0000ff);
            }
        }
        Reply png = postBytes(studio, "/api/uploads", "image/png", Images.encodePng(wide));
        assertEquals(201, png.status(), png.json().toString());
        assertTrue(png.json().path("description").asText().contains("cut to its centre 80x80 square and resized from 100x80 to the models' 64x64"),
                png.json().toString());
        float[] px = pixels(png.json().path("image").asText());
        assertEquals(3 * 64 * 64, px.length);
        assertEquals(1f, px[5], 1e-6f, "left half red");
        assertEquals(1f, px[2 * 64 * 64 + 60], 1e-6f, "right half blue");
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(wide, "jpeg", jpeg);
        Reply jpg = postBytes(studio, "/api/uploads", "image/jpeg", jpeg.toByteArray());
        assertEquals(201, jpg.status(), jpg.json().toString());
        String id = jpg.json().path("id").asText();
        List<Event> ev = runToEnd(Map.of("mode", "attack", "models", List.of("robust"), "image", Map.of("upload", id), "steps", 2));
        JsonNode end = ev.get(ev.size() - 1).data();
        assertEquals("done", end.path("status").asText(), end.toString());
        JsonNode result = ev.stream().filter(e -> e.name().equals("result")).findFirst().orElseThrow().data();
        assertEquals("the model's clean prediction", result.path("figures").path("labels").asText(), "an upload has no true labels");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "image", Map.of("upload", id), "mask", square(0, 0, 4), "target", "truth")),
                400, "upload has none");
    }

    @Test
    void badUploadsGetOneClearError() throws Exception {
        assertError(postBytes(studio, "/api/uploads", "image/png", "GIF89a not really".getBytes(StandardCharsets.US_ASCII)), 415, "not a PNG or JPEG");
        assertError(postBytes(studio, "/api/uploads", "text/plain", new byte[] {1, 2, 3}), 415, "Content-Type");
        assertError(postBytes(studio, "/api/uploads", "image/png", new byte[0]), 400, "empty upload");
        assertError(postBytes(studio, "/api/uploads", "image/png", new byte[9 << 20]), 413, "at most 8388608 bytes");
        byte[] good = Images.encodePng(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB));
        assertError(postBytes(studio, "/api/uploads", "image/png", Arrays.copyOf(good, 60)), 400, "corrupt PNG");
        assertError(postBytes(studio, "/api/uploads", "image/png", pngClaiming(50_000, 50_000)), 413, "50000x50000");
    }

    /** A PNG signature and header that declare a huge image, with no pixel data: refused from its header. */
    static byte[] pngClaiming(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array();
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(13).array());
        out.write(ihdr);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    @Test
    void badJobRequestsGetOneClearError() {
        int[] mask = square(10, 10, 8);
        assertError(postJson(studio, "/api/jobs", "{\"mode\": \"inpaint\","), 400, "not valid JSON");
        assertError(postJson(studio, "/api/jobs", "[1, 2]"), 400, "JSON object");
        assertError(TinyStudio.send(studio, java.net.http.HttpRequest.newBuilder(TinyStudio.uri(studio, "/api/jobs"))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))), 415, "application/json");
        assertError(postJson(studio, "/api/jobs", "{\"mode\": \"x\", \"pad\": \"" + "a".repeat(1 << 20) + "\"}"), 413, "JSON body");
        assertError(postJson(studio, "/api/jobs", job("paint")), 400, "unknown mode 'paint'");
        Map<String, Object> unknownModel = job("predict");
        unknownModel.put("models", List.of("standard", "nope"));
        assertError(postJson(studio, "/api/jobs", unknownModel), 400, "unknown model 'nope' (known: standard, robust)");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "mask", mask, "class", "umbrella")), 400, "unknown class 'umbrella'");
        assertError(postJson(studio, "/api/jobs", job("edit", "click", Map.of("x", 1, "y", 1), "to", "42")), 400, "not a class id");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "mask", mask, "class", "bag", "steps", 401)), 400, "limit of 400");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "mask", new int[64 * 64], "class", "bag")), 400, "marks no pixel");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "mask", new int[10], "class", "bag")), 400, "4096 values");
        assertError(postJson(studio, "/api/jobs", job("inpaint", "mask", mask)), 400, "class is required");
        assertError(postJson(studio, "/api/jobs", job("attack", "attack", "square")), 400, "not offered");
        assertError(postJson(studio, "/api/jobs", job("attack", "eps", 2)), 400, "at most 1");
        assertError(postJson(studio, "/api/jobs", job("attack", "loss", "hinge")), 400, "unknown loss 'hinge'");
        assertError(postJson(studio, "/api/jobs", job("predict", "steps", 3)), 400, "unknown field 'steps'");
        assertError(postJson(studio, "/api/jobs", job("predict", "image", Map.of("scene", 9))), 400, "no scene 9");
        assertError(postJson(studio, "/api/jobs", job("predict", "image", Map.of("path", "/etc/passwd"))), 400, "image must be");
        assertError(postJson(studio, "/api/jobs", job("predict", "image", Map.of("upload", "u999"))), 400, "unknown upload");
        int[] badLayout = new int[64 * 64];
        badLayout[7] = 42;
        assertError(postJson(studio, "/api/jobs", job("generate", "layout", badLayout)), 400, "layout value 7");
        assertError(get(studio, "/api/jobs/j999999"), 404, "no job 'j999999'");
        assertError(delete(studio, "/api/jobs/j999999"), 404, "no job");
    }

    @Test
    void aFullQueueAnswers429AndJobsCanBeCancelledQueuedOrRunning() {
        int[] mask = square(10, 10, 20);
        List<String> ids = new ArrayList<>();
        // one runs, two wait (--max-queued 2): the fourth is refused
        for (int i = 0; i < 3; i++) {
            Reply r = postJson(studio, "/api/jobs", job("inpaint", "mask", mask, "class", "bag", "steps", 400));
            assertEquals(202, r.status(), r.json().toString());
            ids.add(r.json().path("id").asText());
        }
        assertError(postJson(studio, "/api/jobs", job("predict")), 429, "--max-queued 2");
        // a queued job is cancelled at once
        Reply queued = delete(studio, "/api/jobs/" + ids.get(2));
        assertEquals(202, queued.status(), queued.json().toString());
        assertEquals("cancelled", get(studio, "/api/jobs/" + ids.get(2)).json().path("status").asText());
        assertError(delete(studio, "/api/jobs/" + ids.get(2)), 409, "already ended (cancelled)");
        // the running one stops between two steps and says why
        List<Event> ev = events(studio, ids.get(0), e -> e.name().equals("progress") && e.data().path("step").asInt() >= 1);
        assertEquals(202, delete(studio, "/api/jobs/" + ids.get(0)).status());
        JsonNode end = TinyStudio.awaitEnd(studio, ids.get(0), 30);
        assertEquals("cancelled", end.path("status").asText());
        assertEquals("stopped by the user", end.path("message").asText());
        assertTrue(end.path("models").get(0).path("step").asInt() < 400, "it stopped before the end: " + end.path("models").get(0).path("step"));
        assertFalse(ev.isEmpty());
        delete(studio, "/api/jobs/" + ids.get(1));
        TinyStudio.awaitEnd(studio, ids.get(1), 30);
    }

    @Test
    void aClientThatGoesAwayStopsItsJobAndTheServerGoesOn() {
        var model = studio.workspace().model("robust").model();
        int arraysBefore = model.manager().getManagedArrays().size();
        Reply r = postJson(studio, "/api/jobs", job("inpaint", "mask", square(10, 10, 20), "class", "bag", "steps", 400));
        String id = r.json().path("id").asText();
        // watch until the loop has run a few steps, then drop the connection
        events(studio, id, e -> e.name().equals("progress") && e.data().path("step").asInt() >= 2);
        JsonNode end = TinyStudio.awaitEnd(studio, id, 30);
        assertEquals("cancelled", end.path("status").asText());
        assertTrue(end.path("message").asText().contains("went away"), end.path("message").asText());
        assertEquals(arraysBefore, model.manager().getManagedArrays().size(), "the stopped job left no array in the model's manager");
        List<Event> next = runToEnd(job("predict"));
        assertEquals("done", next.get(next.size() - 1).data().path("status").asText(), "the server goes on");
    }

    @Test
    void aJobIsStoppedAtItsTimeLimit() {
        try (Studio quick = TinyStudio.start(TinyStudio.limits(1, 1))) {
            Reply r = postJson(quick, "/api/jobs", job("inpaint", "mask", square(10, 10, 20), "class", "bag", "steps", 400));
            JsonNode end = TinyStudio.awaitEnd(quick, r.json().path("id").asText(), 30);
            assertEquals("cancelled", end.path("status").asText());
            assertEquals("stopped at the time limit", end.path("message").asText());
        }
    }

    @Test
    void answersLocalHostNamesOnly() throws IOException {
        try (Socket s = new Socket("127.0.0.1", studio.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/studio HTTP/1.1\r\nHost: attacker.example:" + studio.port() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
            assertTrue(reply.contains("not a local name"), reply);
        }
        assertEquals(200, get(studio, "/api/studio").status(), "127.0.0.1 is answered");
    }

    private static List<String> names(JsonNode models) {
        List<String> out = new ArrayList<>();
        models.forEach(m -> out.add(m.path("name").asText()));
        return out;
    }

    /** The image as a PNG stores it (8 bits per value). */
    private static float[] quantised(float[] chw) {
        float[] q = chw.clone();
        for (int i = 0; i < q.length; i++) {
            q[i] = Images.quantize(q[i]);
        }
        return q;
    }

}
