package org.robustseg.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.robustseg.cli.Main;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Images;
import org.robustseg.provenance.Json;
import org.robustseg.studio.jobs.Limits;

/**
 * The studio's test bench: two tiny models (a standard one and its PGD-AT fine-tune, one epoch
 * each on 16 FashionScenes) trained once per test JVM, studios started on free loopback ports, and
 * an HTTP client for the API and its event streams. {@code -Drobustseg.studio.demo=DIR} uses a
 * demo's models and data instead (DIR/models/{standard,robust}, DIR/data): how the README's
 * screenshot is taken.
 */
final class TinyStudio {
    private static Path root;

    private TinyStudio() {}

    /** The data and model directories, trained on first use. */
    static synchronized Path root() {
        if (root != null) {
            return root;
        }
        String demo = System.getProperty("robustseg.studio.demo");
        if (demo != null && !demo.isBlank()) {
            root = Path.of(demo);
            return root;
        }
        try {
            root = Files.createTempDirectory("robustseg-studio-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path data = root.resolve("data");
        FashionScenes.builder().trainSize(16).valSize(4).seed(3).build().write(data);
        Path standard = root.resolve("models").resolve("standard");
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val", "--seed", "1",
                "--out", standard.toString()));
        assertEquals(0, Main.execute("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val", "--seed", "1",
                "--recipe", "pgd-at", "--attack-steps", "1", "--init", standard.toString(), "--out", root.resolve("models").resolve("robust").toString()));
        return root;
    }

    static Path data() {
        return root().resolve("data");
    }

    /** A studio on a free loopback port with the two models. */
    static Studio start(Limits limits) {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("standard", root().resolve("models").resolve("standard"));
        models.put("robust", root().resolve("models").resolve("robust"));
        return Studio.start(models, data(), null, limits, "127.0.0.1", 0);
    }

    /** The limits of the tests' studios: small queue, few steps, short jobs. */
    static Limits limits(int maxQueued, int jobSeconds) {
        return new Limits(maxQueued, 400, jobSeconds, Limits.DEFAULT_MAX_JSON_BYTES, Limits.DEFAULT_MAX_UPLOAD_BYTES,
                Limits.DEFAULT_MAX_UPLOAD_PIXELS, Limits.DEFAULT_HISTORY);
    }

    // ---- HTTP ----

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Status and parsed JSON body of a response. */
    record Reply(int status, JsonNode json) {
        String error() {
            return json.path("error").asText();
        }
    }

    static Reply get(Studio s, String path) {
        return send(s, HttpRequest.newBuilder(uri(s, path)).GET());
    }

    static Reply delete(Studio s, String path) {
        return send(s, HttpRequest.newBuilder(uri(s, path)).DELETE());
    }

    static Reply postJson(Studio s, String path, Object body) {
        String text = body instanceof String str ? str : Json.toTree(body).toString();
        return send(s, HttpRequest.newBuilder(uri(s, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    static Reply postBytes(Studio s, String path, String contentType, byte[] body) {
        return send(s, HttpRequest.newBuilder(uri(s, path)).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static Reply send(Studio s, HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? Json.object() : Json.MAPPER.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static URI uri(Studio s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    /** One server-sent event. */
    record Event(String name, JsonNode data) {}

    /**
     * Follows a job's event stream until {@code stopAt} accepts an event (that event included) or the
     * stream ends; closes the connection then (a client going away).
     */
    static List<Event> events(Studio s, String jobId, Predicate<Event> stopAt) {
        List<Event> out = new ArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(uri(s, "/api/jobs/" + jobId + "/events")).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(120)).GET().build();
        try {
            HttpResponse<InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body(); BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && name != null) {
                        Event e = new Event(name, Json.MAPPER.readTree(data.toString()));
                        out.add(e);
                        name = null;
                        data.setLength(0);
                        if (stopAt.test(e)) {
                            return out;
                        }
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls a job until it has ended; returns its JSON. */
    static JsonNode awaitEnd(Studio s, String id, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            JsonNode j = get(s, "/api/jobs/" + id).json();
            String st = j.path("status").asText();
            if (st.equals("done") || st.equals("cancelled") || st.equals("failed")) {
                return j;
            }
            sleep(100);
        }
        throw new AssertionError("job " + id + " did not end within " + seconds + " s: " + get(s, "/api/jobs/" + id).json());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The RGB values (CHW floats) of a PNG data URL. */
    static float[] pixels(String dataUrl) {
        String b64 = dataUrl.substring(dataUrl.indexOf(',') + 1);
        return Images.toChw(Images.decode(Base64.getDecoder().decode(b64), "data URL"));
    }

    /** A hole mask (0/1 per pixel) over the square x, y, side of a 64×64 image. */
    static int[] square(int x, int y, int side) {
        int[] m = new int[64 * 64];
        for (int r = y; r < y + side; r++) {
            for (int c = x; c < x + side; c++) {
                m[r * 64 + c] = 1;
            }
        }
        return m;
    }
}
