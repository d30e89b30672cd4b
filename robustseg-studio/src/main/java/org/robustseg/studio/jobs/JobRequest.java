package org.robustseg.studio.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.robustseg.attack.Attack;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegSample;
import org.robustseg.metric.Saliency;
import org.robustseg.optim.Objectives;
import org.robustseg.studio.workspace.ApiException;
import org.robustseg.studio.workspace.StudioImage;
import org.robustseg.studio.workspace.Workspace;

/**
 * A job as the API receives it ({@code POST /api/jobs}), checked field by field before it is
 * queued: every bad value is answered by a 400 naming the field, so a job that starts can only
 * fail in the engine. Fields a mode does not use are refused rather than ignored.
 *
 * @param mode what to do
 * @param models the models to run it on, side by side, in the order given
 * @param input the input image (null for generation)
 * @param steps gradient steps per model (0 for predict and saliency)
 * @param seed the seed of fills, seed images and random starts
 * @param hole inpaint: the hole, H×W
 * @param truthTarget inpaint: the true labels as target (else each model's own labels outside, {@code classId} inside)
 * @param classId inpaint: the class painted into the hole; saliency: the class mapped (null: the whole map)
 * @param layout generate: the label layout, size×size class ids (255 = don't care)
 * @param clickX edit: the clicked pixel's column; {@code clickY} its row
 * @param toClass edit: the class the clicked object becomes
 * @param attack attack: the preset, configured (eps, steps, loss, seed), without listener
 * @param score saliency: the per-pixel score
 * @param given the request as given, recorded with the results
 */
public record JobRequest(Mode mode, List<String> models, StudioImage input, int steps, long seed, boolean[] hole, boolean truthTarget,
                         Integer classId, int[] layout, int clickX, int clickY, Integer toClass, GradientAttack attack,
                         Saliency.Score score, ObjectNode given) {
    /** The attacks the studio offers: the white-box presets over the loop (no ensembles, no black-box search). */
    public static final List<String> ATTACKS = List.of("pgd", "apgd", "fgsm", "bim", "segpgd");

    /** Parses and checks {@code body} against the workspace and the limits. */
    public static JobRequest parse(JsonNode body, Workspace ws, Limits limits) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        ObjectNode json = (ObjectNode) body;
        Mode mode = Mode.parse(text(json, "mode", null, true));
        Set<String> allowed = new LinkedHashSet<>(List.of("mode", "models", "seed"));
        List<String> models = models(json, ws);
        if (mode != Mode.PREDICT) {
            // an imported ONNX network has no gradients: refuse before queueing rather than fail mid-job
            for (String name : models) {
                if (!ws.model(name).checkpoint().spec().differentiable()) {
                    throw ApiException.badRequest("model '" + name + "' is an ONNX network: inference only (predict); "
                            + mode + " needs its gradients (give the studio its TorchScript export)");
                }
            }
        }
        long seed = json.has("seed") ? integer(json, "seed", Long.MIN_VALUE, Long.MAX_VALUE) : 0;
        int steps = 0;
        if (mode.iterates()) {
            allowed.add("steps");
            steps = json.has("steps") ? (int) integer(json, "steps", 1, Integer.MAX_VALUE) : mode.defaultSteps();
            if (steps > limits.maxSteps()) {
                throw ApiException.badRequest("steps " + steps + " is over the studio's limit of " + limits.maxSteps() + " per model (--max-steps)");
            }
        }
        StudioImage input = null;
        if (mode != Mode.GENERATE) {
            allowed.add("image");
            input = image(json, ws);
        }
        boolean[] hole = null;
        boolean truth = false;
        Integer cls = null;
        int[] layout = null;
        int x = -1;
        int y = -1;
        Integer to = null;
        GradientAttack attack = null;
        Saliency.Score score = null;
        switch (mode) {
            case PREDICT -> { }
            case INPAINT -> {
                allowed.addAll(List.of("mask", "target", "class"));
                hole = mask(json, input);
                String target = text(json, "target", "prediction", false);
                if (target.equals("truth")) {
                    if (!input.hasTruth()) {
                        throw ApiException.badRequest("target 'truth' needs a scene's true labels; an upload has none (use target 'prediction' and a class)");
                    }
                    if (json.has("class")) {
                        throw ApiException.badRequest("class goes with target 'prediction' (with 'truth' the true labels fill the hole)");
                    }
                    truth = true;
                } else if (target.equals("prediction")) {
                    cls = ws.classId(text(json, "class", null, true), "class");
                } else {
                    throw ApiException.badRequest("target must be 'prediction' (each model's own labels outside the hole, class inside) or 'truth', got '"
                            + target + "'");
                }
            }
            case GENERATE -> {
                allowed.add("layout");
                if (ws.statistics() == null) {
                    throw new ApiException(409, "generation needs colour statistics: start the studio with --data (its train split is fitted) or --statistics FILE");
                }
                layout = layout(json, ws);
            }
            case EDIT -> {
                allowed.addAll(List.of("click", "to"));
                JsonNode click = json.path("click");
                if (!click.isObject()) {
                    throw ApiException.badRequest("click must be an object {\"x\": column, \"y\": row}: the pixel of the object to edit");
                }
                x = (int) integer((ObjectNode) click, "x", 0, input.width() - 1, "click.x");
                y = (int) integer((ObjectNode) click, "y", 0, input.height() - 1, "click.y");
                to = ws.classId(text(json, "to", null, true), "to");
            }
            case ATTACK -> {
                allowed.addAll(List.of("attack", "norm", "eps", "loss"));
                attack = attack(json, steps, seed);
            }
            case SALIENCY -> {
                allowed.addAll(List.of("class", "score"));
                cls = json.has("class") && !json.get("class").isNull() ? ws.classId(text(json, "class", null, true), "class") : null;
                try {
                    score = Saliency.Score.parse(text(json, "score", "logit", false));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("score: " + e.getMessage());
                }
            }
            default -> throw new IllegalStateException(mode.toString());
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "' for mode " + mode + " (it takes: " + String.join(", ", allowed) + ")");
            }
        }
        ObjectNode given = json.deepCopy();
        given.remove(List.of("mask", "layout")); // recorded as pictures with the results, not as 4096 numbers
        return new JobRequest(mode, models, input, steps, seed, hole, truth, cls, layout, x, y, to, attack, score, given);
    }

    private static List<String> models(ObjectNode json, Workspace ws) {
        JsonNode m = json.get("models");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ApiException.badRequest("models must be a non-empty list of model names (known: "
                    + String.join(", ", ws.models().stream().map(s -> s.name()).toList()) + ")");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : m) {
            if (!n.isTextual()) {
                throw ApiException.badRequest("models must list model names as strings, got " + n);
            }
            ws.model(n.asText());
            if (names.contains(n.asText())) {
                throw ApiException.badRequest("model '" + n.asText() + "' is listed twice");
            }
            names.add(n.asText());
        }
        return names;
    }

    private static StudioImage image(ObjectNode json, Workspace ws) {
        JsonNode img = json.get("image");
        if (img == null || !img.isObject() || img.size() != 1 || !(img.has("scene") || img.has("upload"))) {
            throw ApiException.badRequest("image must be {\"scene\": index} or {\"upload\": id} (an id from POST /api/uploads)");
        }
        if (img.has("scene")) {
            JsonNode s = img.get("scene");
            if (!s.isIntegralNumber()) {
                throw ApiException.badRequest("image.scene must be an integer index, got " + s);
            }
            try {
                return ws.scenes().get(s.asInt());
            } catch (ApiException e) {
                throw ApiException.badRequest(e.getMessage()); // inside a request body, an unknown scene is a bad request
            }
        }
        JsonNode u = img.get("upload");
        if (!u.isTextual()) {
            throw ApiException.badRequest("image.upload must be an upload id string, got " + u);
        }
        return ws.uploads().get(u.asText());
    }

    private static boolean[] mask(ObjectNode json, StudioImage input) {
        JsonNode m = json.get("mask");
        int n = input.height() * input.width();
        if (m == null || !m.isArray() || m.size() != n) {
            throw ApiException.badRequest("mask must be a list of " + n + " values (0 or 1, row by row, 1 = hole) for the "
                    + input.width() + "x" + input.height() + " image" + (m != null && m.isArray() ? ", got " + m.size() : ""));
        }
        boolean[] hole = new boolean[n];
        int count = 0;
        for (int p = 0; p < n; p++) {
            int v = m.get(p).asInt(-1);
            if (!m.get(p).isIntegralNumber() || (v != 0 && v != 1)) {
                throw ApiException.badRequest("mask value " + p + " must be 0 or 1, got " + m.get(p));
            }
            hole[p] = v == 1;
            count += v;
        }
        if (count == 0) {
            throw ApiException.badRequest("mask marks no pixel: paint the hole first");
        }
        return hole;
    }

    private static int[] layout(ObjectNode json, Workspace ws) {
        JsonNode l = json.get("layout");
        int size = ws.size();
        int n = size * size;
        if (l == null || !l.isArray() || l.size() != n) {
            throw ApiException.badRequest("layout must be a list of " + n + " class ids (row by row, " + size + "x" + size + ", 255 = don't care)"
                    + (l != null && l.isArray() ? ", got " + l.size() : ""));
        }
        int[] out = new int[n];
        int k = ws.classes().size();
        for (int p = 0; p < n; p++) {
            int v = l.get(p).isIntegralNumber() ? l.get(p).asInt() : -1;
            if (v != SegSample.IGNORE && (v < 0 || v >= k)) {
                throw ApiException.badRequest("layout value " + p + " is " + l.get(p) + ", not a class id (0.." + (k - 1) + ") or 255");
            }
            out[p] = v;
        }
        return out;
    }

    private static GradientAttack attack(ObjectNode json, int steps, long seed) {
        String name = text(json, "attack", "pgd", false).toLowerCase(Locale.ROOT);
        if (!ATTACKS.contains(name)) {
            throw ApiException.badRequest("attack '" + name + "' is not offered by the studio (choose " + String.join(", ", ATTACKS)
                    + "; './run attack' has the ensembles and the square attack)");
        }
        Norm norm;
        try {
            norm = Norm.parse(text(json, "norm", "linf", false));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("norm: " + e.getMessage());
        }
        Attack preset = Attacks.parse(name, norm);
        GradientAttack a = ((GradientAttack) preset).seed(seed);
        if (json.has("eps")) {
            JsonNode e = json.get("eps");
            double eps = e.isNumber() ? e.asDouble() : Double.NaN;
            if (!(eps > 0) || Double.isInfinite(eps) || (norm == Norm.LINF && eps > 1)) {
                throw ApiException.badRequest("eps must be a number above 0" + (norm == Norm.LINF ? " and at most 1 (pixel units: 8/255 = 0.0314)" : "")
                        + ", got " + e);
            }
            a = a.eps((float) eps);
        }
        if (!name.equals("fgsm")) { // FGSM is one step by definition
            a = a.steps(steps);
        }
        if (json.has("loss") && !json.get("loss").isNull()) {
            String loss = text(json, "loss", null, true);
            if (!Objectives.NAMES.contains(loss)) {
                throw ApiException.badRequest("unknown loss '" + loss + "' (known: " + String.join(", ", Objectives.NAMES) + ")");
            }
            a = a.objective(loss);
        }
        return a;
    }

    private static String text(ObjectNode json, String field, String fallback, boolean required) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest(field + " is required");
            }
            return fallback;
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw ApiException.badRequest(field + " must be a string, got " + v);
        }
        return v.asText().trim();
    }

    private static long integer(ObjectNode json, String field, long min, long max) {
        return integer(json, field, min, max, field);
    }

    private static long integer(ObjectNode json, String field, long min, long max, String name) {
        JsonNode v = json.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw ApiException.badRequest(name + " must be an integer, got " + (v == null ? "nothing" : v));
        }
        long value = v.asLong();
        if (value < min || value > max) {
            throw ApiException.badRequest(name + " must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "at least " + min
                    : "in " + min + ".." + max) + ", got " + value);
        }
        return value;
    }
}
