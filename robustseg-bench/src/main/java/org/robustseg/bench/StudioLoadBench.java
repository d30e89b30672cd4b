package org.robustseg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.robustseg.cli.options.NamedCheckpoints;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.studio.Studio;
import org.robustseg.studio.StudioCommand;
import org.robustseg.studio.jobs.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A bounded load test of the studio on localhost: a studio starts in this process on a free
 * loopback port and {@code --clients} clients submit jobs for {@code --seconds} (every mode in
 * turn, both models). Most follow their job's events to the end; every tenth presses stop after
 * the first progress event, every tenth drops its connection then (the server must stop the job
 * and free it). A refused submission (429, the queue's limit) waits a quarter second and tries
 * again. Every accepted job must reach an end that its client confirms (none lost, none stuck),
 * and resident memory at the end is compared with resident memory after the warm-up (both after
 * a full GC, with the queue idle). The clients run in the same process, so their memory counts too.
 */
@Command(name = "studio-load", mixinStandardHelpOptions = true,
        description = "Load test of the studio on localhost: clients submitting jobs for a while; lost/stuck jobs, 429s, resident memory.")
public final class StudioLoadBench implements Callable<Integer> {
    @Option(names = "--clients", defaultValue = "20", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "120", description = "How long clients submit jobs (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warm-up", defaultValue = "20", description = "Seconds before the reference memory reading (default ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--steps", defaultValue = "10", description = "Gradient steps of each job (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--max-queued", defaultValue = "" + Limits.DEFAULT_MAX_QUEUED, description = "The studio's queue limit (default ${DEFAULT-VALUE}).")
    int maxQueued;

    @Mixin
    NamedCheckpoints checkpoints;

    @Option(names = "--data", description = "Data directory (default: runs/demo/data with the demo's models).")
    Path data;

    @Option(names = "--out", defaultValue = "studio-load.json", description = "Results file (default ${DEFAULT-VALUE}).")
    Path out;

    private static final List<String> MODES = List.of("inpaint", "generate", "attack", "saliency", "edit", "predict");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private int port;
    private int scenes;
    private int[] objectPixel;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || seconds < 10 || warmUp < 1 || warmUp >= seconds || steps < 1) {
            throw new IllegalArgumentException("--clients >= 1, --seconds >= 10, 1 <= --warm-up < --seconds and --steps >= 1");
        }
        Map<String, Path> models = StudioCommand.models(checkpoints, data);
        Path dataDir = StudioCommand.dataDir(data, checkpoints);
        if (dataDir == null) {
            throw new IllegalArgumentException("the load test needs --data (scenes to work on)");
        }
        // a short history keeps the finished jobs' results from growing the heap during the run
        Limits limits = new Limits(maxQueued, Limits.DEFAULT_MAX_STEPS, Limits.DEFAULT_JOB_SECONDS, Limits.DEFAULT_MAX_JSON_BYTES,
                Limits.DEFAULT_MAX_UPLOAD_BYTES, Limits.DEFAULT_MAX_UPLOAD_PIXELS, 16);
        try (Studio studio = Studio.start(models, dataDir, null, limits, "127.0.0.1", 0)) {
            port = studio.port();
            scenes = studio.workspace().scenes().count();
            objectPixel = new int[scenes];
            for (int i = 0; i < scenes; i++) {
                int[] labels = studio.workspace().scenes().get(i).labels();
                int p = 0;
                while (p < labels.length - 1 && labels[p] == 0) {
                    p++;
                }
                objectPixel[i] = p;
            }
            System.out.printf("studio load test: %d clients for %d s on 127.0.0.1:%d, models %s, %d steps per job, queue limit %d%n",
                    clients, seconds, port, models.keySet(), steps, maxQueued);
            long start = System.nanoTime();
            long deadline = start + seconds * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> client(deadline));
            }
            Thread.sleep(warmUp * 1000L);
            double warmRss = settledRss();
            System.out.printf("after %d s warm-up: resident %.1f MiB, %d jobs accepted, %d refused (429)%n", warmUp, warmRss,
                    accepted.get(), refused.get());
            pool.shutdown();
            boolean ended = pool.awaitTermination(seconds + Limits.DEFAULT_JOB_SECONDS + 60L, TimeUnit.SECONDS);
            double wall = (System.nanoTime() - start) / 1e9;
            awaitIdle(studio);
            double endRss = settledRss();
            int stuck = ended ? 0 : clients;
            int lost = outcomes.getOrDefault("lost", new AtomicInteger()).get();
            int confirmed = outcomes.entrySet().stream().filter(e -> !e.getKey().equals("lost")).mapToInt(e -> e.getValue().get()).sum();
            stuck += accepted.get() - confirmed - lost;
            double growth = 100 * (endRss - warmRss) / warmRss;
            System.out.printf("%.0f s: %d jobs accepted, %d refused with 429; outcomes %s; lost %d, stuck %d%n", wall, accepted.get(),
                    refused.get(), outcomes, lost, stuck);
            System.out.printf("resident memory %.1f MiB after warm-up, %.1f MiB at the end: %+.2f%% (limit +-5%%)%n", warmRss, endRss, growth);
            problems.stream().limit(10).forEach(p -> System.out.println("problem: " + p));
            ObjectNode json = Json.object();
            json.put("clients", clients);
            json.put("seconds", seconds);
            json.put("wall_seconds", wall);
            json.put("steps_per_job", steps);
            json.put("max_queued", maxQueued);
            json.put("accepted", accepted.get());
            json.put("refused_429", refused.get());
            json.set("outcomes", Json.toTree(outcomes));
            json.put("lost", lost);
            json.put("stuck", stuck);
            json.put("resident_mib_after_warm_up", warmRss);
            json.put("resident_mib_at_end", endRss);
            json.put("resident_growth_percent", growth);
            json.set("problems", Json.toTree(problems));
            json.set("provenance", Provenance.of("bench studio-load").toJson());
            Json.write(out, json);
            System.out.println("wrote " + out);
            boolean ok = lost == 0 && stuck == 0 && problems.isEmpty() && Math.abs(growth) <= 5 && refused.get() > 0;
            System.out.println(ok ? "result: ok" : "result: NOT ok (lost/stuck jobs, problems, memory outside +-5%, or the queue limit never reached)");
            return ok ? 0 : 1;
        }
    }

    /** One client: submit, watch (to the end, or stop, or drop the connection), confirm the end; until the deadline. */
    private void client(long deadline) {
        while (System.nanoTime() < deadline) {
            int k = counter.incrementAndGet();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/jobs")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(k).toString())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    refused.incrementAndGet();
                    Thread.sleep(250);
                    continue;
                }
                if (r.statusCode() != 202) {
                    problems.add("submission answered " + r.statusCode() + ": " + r.body());
                    continue;
                }
                accepted.incrementAndGet();
                String id = Json.MAPPER.readTree(r.body()).path("id").asText();
                int behaviour = k % 10;
                if (behaviour == 0) {
                    follow(id, true);
                    http.send(HttpRequest.newBuilder(uri("/api/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                } else if (behaviour == 1) {
                    follow(id, true); // and drop the connection
                } else {
                    follow(id, false);
                }
                confirm(id, behaviour);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                problems.add("client error: " + e);
            }
        }
    }

    private ObjectNode body(int k) {
        String mode = MODES.get(k % MODES.size());
        int scene = k % scenes;
        ObjectNode b = Json.object();
        b.put("mode", mode);
        b.putArray("models").add("standard").add("robust");
        if (!mode.equals("generate")) {
            b.putObject("image").put("scene", scene);
        }
        switch (mode) {
            case "inpaint" -> {
                var mask = b.putArray("mask");
                for (int p = 0; p < 64 * 64; p++) {
                    int x = p % 64;
                    int y = p / 64;
                    mask.add(x >= 20 && x < 42 && y >= 20 && y < 42 ? 1 : 0);
                }
                b.put("class", "bag");
                b.put("steps", steps);
            }
            case "generate" -> {
                var layout = b.putArray("layout");
                for (int p = 0; p < 64 * 64; p++) {
                    layout.add(p >= 32 * 64 ? 9 : 0);
                }
                b.put("steps", steps);
            }
            case "attack" -> b.put("steps", steps);
            case "edit" -> {
                b.putObject("click").put("x", objectPixel[scene] % 64).put("y", objectPixel[scene] / 64);
                b.put("to", "bag");
                b.put("steps", steps);
            }
            default -> { }
        }
        return b;
    }

    /** Reads the job's events until its end, or (firstProgress) until its first progress event, then closes. */
    private void follow(String id, boolean firstProgress) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri("/api/jobs/" + id + "/events")).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(Limits.DEFAULT_JOB_SECONDS + 60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body(); BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.equals("event: end") || (firstProgress && line.equals("event: progress"))) {
                    return;
                }
            }
        }
    }

    /** Polls the job until it has ended and records how; 404 before that is a lost job. */
    private void confirm(String id, int behaviour) throws IOException, InterruptedException {
        long end = System.nanoTime() + (Limits.DEFAULT_JOB_SECONDS + 30) * 1_000_000_000L;
        while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/jobs/" + id)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                outcomes.computeIfAbsent("lost", x -> new AtomicInteger()).incrementAndGet();
                problems.add("job " + id + " answered 404 before its client saw it end");
                return;
            }
            JsonNode j = Json.MAPPER.readTree(r.body());
            String status = j.path("status").asText();
            if (status.equals("done") || status.equals("cancelled") || status.equals("failed")) {
                String how = status.equals("cancelled") ? "cancelled (" + (behaviour == 0 ? "stop" : behaviour == 1 ? "disconnect" : "other") + ")" : status;
                outcomes.computeIfAbsent(how, x -> new AtomicInteger()).incrementAndGet();
                if (status.equals("failed")) {
                    problems.add("job " + id + " failed: " + j.path("message").asText());
                }
                return;
            }
            Thread.sleep(100);
        }
        problems.add("job " + id + " did not end within " + (Limits.DEFAULT_JOB_SECONDS + 30) + " s");
    }

    private void awaitIdle(Studio studio) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonNode o = studio.queue().overview();
            if (o.path("running").isNull() && o.path("waiting").asInt() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        problems.add("the queue was not idle 60 s after the clients stopped");
    }

    /** Resident memory after a full GC and a pause, so that garbage does not decide the comparison. */
    private static double settledRss() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(500);
        }
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return ResidentMemory.mib();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
