package org.robustseg.studio.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.robustseg.cli.Errors;
import org.robustseg.data.ClassSet;
import org.robustseg.optim.Objectives;
import org.robustseg.provenance.Json;
import org.robustseg.studio.jobs.Job;
import org.robustseg.studio.jobs.JobQueue;
import org.robustseg.studio.jobs.JobRequest;
import org.robustseg.studio.jobs.Limits;
import org.robustseg.studio.jobs.Mode;
import org.robustseg.studio.workspace.ApiException;
import org.robustseg.studio.workspace.Pictures;
import org.robustseg.studio.workspace.StudioImage;
import org.robustseg.studio.workspace.StudioModel;
import org.robustseg.studio.workspace.Workspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The studio's HTTP server: the page (from the jar's {@code web/} folder) and the JSON API
 * documented in the README. Every refusal is a 4xx with {@code {"error": "one line"}}.
 *
 * <pre>
 * GET    /api/studio            models, classes and palette, size, scenes, modes, attacks, limits
 * GET    /api/scenes/{index}    a validation scene: image and true labels as PNG data URLs
 * POST   /api/uploads           a PNG or JPEG as the body: decoded, cut and resized; its id
 * POST   /api/jobs              a job (JSON); 202 with its id, 429 when the queue is full
 * GET    /api/jobs              the queue and recent jobs
 * GET    /api/jobs/{id}         a job with its results, settings and provenance (the download)
 * GET    /api/jobs/{id}/events  its progress as server-sent events
 * DELETE /api/jobs/{id}         stop it
 * </pre>
 */
public final class StudioServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StudioServer.class);
    /** Host names a page may use to reach a loopback-bound studio; anything else is a rebinding attempt or a mistake. */
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Workspace ws;
    private final JobQueue queue;
    private final EventStream events;
    private final String bind;
    private final Javalin app;

    public StudioServer(Workspace ws, JobQueue queue, String bind, int port) {
        this.ws = ws;
        this.queue = queue;
        this.events = new EventStream(queue);
        this.bind = bind;
        Limits limits = queue.limits();
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = bind;
            config.jetty.port = port;
            config.http.maxRequestSize = Math.max(limits.maxUploadBytes(), limits.maxJsonBytes());
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/org/robustseg/studio/web";
                files.location = Location.CLASSPATH;
                files.headers = java.util.Map.of("Cache-Control", "no-cache");
            });
            routes(config.routes, limits);
        });
    }

    /** Starts listening; returns the port (useful when 0 asked for a free one). */
    public int start() {
        app.start();
        return app.port();
    }

    public int port() {
        return app.port();
    }

    private void routes(RoutesConfig r, Limits limits) {
        r.before("/api/*", this::checkHost);
        r.get("/api/studio", ctx -> json(ctx, 200, describe(limits)));
        r.get("/api/scenes/{index}", ctx -> json(ctx, 200, scene(ctx.pathParam("index"))));
        r.post("/api/uploads", ctx -> {
            requireType(ctx, Set.of("image/png", "image/jpeg", "application/octet-stream"), "an image (Content-Type image/png or image/jpeg)");
            byte[] body = Bodies.read(ctx, limits.maxUploadBytes(), "uploaded image");
            StudioImage img = ws.uploads().add(body, ws.size());
            ObjectNode o = Json.object();
            o.put("id", img.ref().substring("upload:".length()));
            o.put("description", img.description());
            o.put("width", img.width());
            o.put("height", img.height());
            o.put("image", Pictures.image(img.image(), img.height(), img.width()));
            json(ctx, 201, o);
        });
        r.post("/api/jobs", ctx -> {
            requireType(ctx, Set.of("application/json"), "JSON (Content-Type application/json)");
            byte[] body = Bodies.read(ctx, limits.maxJsonBytes(), "JSON body");
            JsonNode tree;
            try {
                tree = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw ApiException.badRequest("the body is not valid JSON: " + Errors.oneLine(e).split(" at \\[Source")[0]);
            }
            Job job = queue.submit(JobRequest.parse(tree, ws, limits));
            json(ctx, 202, job.statusJson(queue.position(job)));
        });
        r.get("/api/jobs", ctx -> json(ctx, 200, queue.overview()));
        r.get("/api/jobs/{id}", ctx -> {
            Job job = queue.find(ctx.pathParam("id"));
            json(ctx, 200, job.toJson(queue.position(job)));
        });
        r.get("/api/jobs/{id}/events", ctx -> {
            Job job = queue.find(ctx.pathParam("id"));
            new SseHandler(client -> events.stream(job, client)).handle(ctx);
        });
        r.delete("/api/jobs/{id}", ctx -> {
            Job job = queue.cancel(ctx.pathParam("id"), "stopped by the user");
            json(ctx, 202, job.statusJson(queue.position(job)));
        });
        r.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.warn("studio request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + Errors.oneLine(e));
        });
        r.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && !String.valueOf(ctx.result()).startsWith("{")) {
                error(ctx, 404, "no endpoint " + ctx.method() + " " + ctx.path() + " (see GET /api/studio and the README's API section)");
            }
        });
        r.error(405, ctx -> {
            if (ctx.path().startsWith("/api/")) {
                error(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path());
            }
        });
    }

    /** A page must reach a loopback-bound studio by a local name: refuses other Host headers (DNS rebinding). */
    private void checkHost(Context ctx) {
        if (!isLoopback(bind)) {
            return; // the user chose to expose it (and was warned)
        }
        String host = ctx.host() == null ? "" : ctx.host().toLowerCase(Locale.ROOT);
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        if (!LOCAL_HOSTS.contains(name)) {
            throw new ApiException(403, "Host '" + host + "' is not a local name: the studio answers localhost, 127.0.0.1 and [::1] only");
        }
    }

    /** True for addresses that only this machine can reach. */
    public static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1") || address.equals("[::1]");
    }

    private static void requireType(Context ctx, Set<String> types, String what) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!types.contains(type)) {
            throw new ApiException(415, "the body must be " + what + ", got Content-Type '" + type + "'");
        }
    }

    private ObjectNode describe(Limits limits) {
        ObjectNode o = Json.object();
        ArrayNode models = o.putArray("models");
        for (StudioModel m : ws.models()) {
            m.describe(models.addObject());
        }
        ClassSet classes = ws.classes();
        ArrayNode cls = o.putArray("classes");
        for (int c = 0; c < classes.size(); c++) {
            cls.addObject().put("id", c).put("name", classes.names().get(c)).put("colour", Pictures.colour(classes.palette()[c]));
        }
        o.put("size", ws.size());
        ObjectNode scenes = o.putObject("scenes");
        scenes.put("count", ws.scenes().count());
        scenes.put("data", ws.scenes().name());
        o.put("generation", ws.statistics() != null);
        ObjectNode modes = o.putObject("modes");
        for (Mode m : Mode.values()) {
            modes.put(m.toString(), m.defaultSteps());
        }
        ArrayNode attacks = o.putArray("attacks");
        JobRequest.ATTACKS.forEach(attacks::add);
        ArrayNode losses = o.putArray("losses");
        Objectives.NAMES.forEach(losses::add);
        ObjectNode l = o.putObject("limits");
        l.put("max_queued", limits.maxQueued());
        l.put("max_steps", limits.maxSteps());
        l.put("job_seconds", limits.jobSeconds());
        l.put("max_json_bytes", limits.maxJsonBytes());
        l.put("max_upload_bytes", limits.maxUploadBytes());
        l.put("max_upload_pixels", limits.maxUploadPixels());
        return o;
    }

    private ObjectNode scene(String index) {
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("scene index must be an integer, got '" + index + "'");
        }
        StudioImage s = ws.scenes().get(i);
        ObjectNode o = Json.object();
        o.put("index", i);
        o.put("description", s.description());
        o.put("width", s.width());
        o.put("height", s.height());
        o.put("image", Pictures.image(s.image(), s.height(), s.width()));
        o.put("labels", Pictures.labels(s.labels(), s.height(), s.width(), ws.classes()));
        ArrayNode ids = o.putArray("label_ids");
        for (int v : s.labels()) {
            ids.add(v);
        }
        return o;
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(JsonText.of(body));
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode o = Json.object();
        o.put("error", message);
        json(ctx, status, o);
    }

    @Override
    public void close() {
        app.stop();
    }
}
