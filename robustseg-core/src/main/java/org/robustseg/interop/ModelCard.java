package org.robustseg.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The small JSON file that says how to use an exported network in robustseg's conventions:
 * which file holds it, the class names, how the network wants its input (channel order, value
 * range, mean/std), which of its outputs holds the logits, and the ignore label. Format
 * {@value #FORMAT}:
 *
 * <pre>
 * {"format": "robustseg-model-card/1",
 *  "torchscript": "model.pt",            // and/or "onnx": "model.onnx", relative to the card
 *  "classes": ["background", ...],
 *  "input": {"size": [H, W],              // optional: the network is run at this size
 *            "channel_order": "RGB",      // or "BGR" (default RGB)
 *            "mean": [m0, m1, m2], "std": [s0, s1, s2],   // in the network's channel order and range
 *            "range": "0-1"},             // or "0-255" (default 0-1)
 *  "output": {"kind": "dict", "key": "out"},   // "tensor", {"kind": "tuple", "index": 0} or a dict key
 *  "ignore_index": 255}                   // optional, default 255
 * </pre>
 *
 * Other top-level fields (e.g. "architecture", "safetensors", "provenance" of an export) are kept
 * and ignored. The card is immutable; {@link #read} refuses a bad card with one line naming the
 * card and the field.
 *
 * @param torchscript the TorchScript file, relative to the card's folder, or null
 * @param onnx the ONNX file, relative to the card's folder, or null
 * @param classes class names, index = class id
 * @param input what the network expects
 * @param output where its logits are
 * @param ignoreIndex the label that marks pixels without a class
 * @param extra the card's other top-level fields, kept as they were
 */
public record ModelCard(String torchscript, String onnx, List<String> classes, Input input, Output output, int ignoreIndex,
                        ObjectNode extra) {
    public static final String FORMAT = "robustseg-model-card/1";
    /** The card's file name when a folder holds one model: {@code DIR/card.json}; else {@code NAME.card.json}. */
    public static final String FILE_NAME = "card.json";
    public static final String SUFFIX = ".card.json";
    /** Reads cards; interop sits below provenance, so it has its own mapper, configured as provenance's Json. */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> KNOWN = List.of("format", "torchscript", "onnx", "classes", "input", "output", "ignore_index");

    public ModelCard {
        classes = List.copyOf(classes);
        extra = extra == null ? JsonNodeFactory.instance.objectNode() : extra.deepCopy();
    }

    /**
     * How the network expects its input; robustseg's images are RGB in [0,1] and are converted
     * inside the wrapped model, so attack budgets stay in [0,1] pixel units.
     *
     * @param size the H×W the network runs at (images are resized to it and logits back), or null: any size
     * @param bgr the network wants BGR channel order
     * @param mean per-channel mean, in the network's channel order and range
     * @param std per-channel standard deviation, same convention
     * @param scale 1 for range "0-1", 255 for "0-255"
     */
    public record Input(int[] size, boolean bgr, float[] mean, float[] std, float scale) {
        /** No conversion at all: RGB in [0,1], mean 0, std 1 (robustseg's own networks normalise inside). */
        public static Input identity() {
            return new Input(null, false, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 1f);
        }

        boolean isIdentity() {
            if (size != null || bgr || scale != 1f) {
                return false;
            }
            for (int c = 0; c < 3; c++) {
                if (mean[c] != 0f || std[c] != 1f) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Which output holds the logits. */
    public enum OutputKind { TENSOR, TUPLE, DICT }

    /**
     * @param kind the network returns one tensor, a tuple (take {@code index}) or a dict (take {@code key})
     * @param index the tuple element (flattened, as the engine returns nested tuples)
     * @param key the dict key, e.g. torchvision's "out"
     */
    public record Output(OutputKind kind, int index, String key) {
        public static Output tensor() {
            return new Output(OutputKind.TENSOR, 0, null);
        }

        /** How the card names this output, for error messages: "output", "output 1", "output 'out'". */
        String describe() {
            return switch (kind) {
                case TENSOR -> "output";
                case TUPLE -> "output " + index;
                case DICT -> "output '" + key + "'";
            };
        }
    }

    /** Reads and checks the card at {@code file}; a bad card is refused with one line naming it and the field. */
    public static ModelCard read(Path file) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("model card " + file + " cannot be read: " + firstLine(e.getMessage()), e);
        }
        return parse(tree, "model card " + file);
    }

    /** The card in {@code tree}; {@code where} starts every error message (e.g. "model card runs/x/card.json"). */
    public static ModelCard parse(JsonNode tree, String where) {
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException(where + " is not a JSON object");
        }
        String format = tree.path("format").asText(null);
        if (format == null) {
            throw new IllegalArgumentException(where + ": missing field 'format' (expected \"" + FORMAT + "\")");
        }
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException(where + ": unknown format '" + format + "' (expected \"" + FORMAT + "\")");
        }
        String torchscript = optionalText(tree, "torchscript", where);
        String onnx = optionalText(tree, "onnx", where);
        if (torchscript == null && onnx == null) {
            throw new IllegalArgumentException(where + ": missing field 'torchscript' (or 'onnx'): the file holding the network");
        }
        JsonNode cls = required(tree, "classes", where);
        if (!cls.isArray() || cls.size() < 2) {
            throw new IllegalArgumentException(where + ": 'classes' must be a list of at least 2 class names");
        }
        List<String> classes = new ArrayList<>();
        for (JsonNode c : cls) {
            if (!c.isTextual() || c.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": 'classes' must hold non-empty names, found " + c);
            }
            classes.add(c.asText());
        }
        Input input = parseInput(required(tree, "input", where), where);
        Output output = parseOutput(required(tree, "output", where), where);
        int ignore = 255;
        if (tree.has("ignore_index")) {
            JsonNode ig = tree.get("ignore_index");
            if (!ig.isInt() || ig.asInt() < 0) {
                throw new IllegalArgumentException(where + ": 'ignore_index' must be a non-negative integer, got " + ig);
            }
            ignore = ig.asInt();
            if (ignore < classes.size()) {
                throw new IllegalArgumentException(where + ": 'ignore_index' " + ignore + " is a class id (there are "
                        + classes.size() + " classes)");
            }
        }
        ObjectNode extra = JsonNodeFactory.instance.objectNode();
        tree.fields().forEachRemaining(e -> {
            if (!KNOWN.contains(e.getKey())) {
                extra.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return new ModelCard(torchscript, onnx, classes, input, output, ignore, extra);
    }

    private static Input parseInput(JsonNode in, String where) {
        if (!in.isObject()) {
            throw new IllegalArgumentException(where + ": 'input' must be an object");
        }
        int[] size = null;
        if (in.has("size") && !in.get("size").isNull()) {
            JsonNode s = in.get("size");
            if (!s.isArray() || s.size() != 2 || !s.get(0).canConvertToInt() || !s.get(1).canConvertToInt()
                    || s.get(0).asInt() < 1 || s.get(1).asInt() < 1) {
                throw new IllegalArgumentException(where + ": input.size must be [H, W] (two positive integers), got " + s);
            }
            size = new int[] {s.get(0).asInt(), s.get(1).asInt()};
        }
        String order = in.path("channel_order").asText("RGB").toUpperCase(Locale.ROOT);
        if (!order.equals("RGB") && !order.equals("BGR")) {
            throw new IllegalArgumentException(where + ": input.channel_order must be \"RGB\" or \"BGR\", got " + in.get("channel_order"));
        }
        float[] mean = triple(required(in, "mean", where + ": input"), "input.mean", where);
        float[] std = triple(required(in, "std", where + ": input"), "input.std", where);
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException(where + ": input.std must be positive, got " + in.get("std"));
            }
        }
        String range = in.path("range").asText("0-1");
        float scale = switch (range) {
            case "0-1" -> 1f;
            case "0-255" -> 255f;
            default -> throw new IllegalArgumentException(where + ": input.range must be \"0-1\" or \"0-255\", got " + in.get("range"));
        };
        return new Input(size, order.equals("BGR"), mean, std, scale);
    }

    private static Output parseOutput(JsonNode out, String where) {
        if (!out.isObject()) {
            throw new IllegalArgumentException(where + ": 'output' must be an object such as {\"kind\": \"dict\", \"key\": \"out\"}");
        }
        String kind = required(out, "kind", where + ": output").asText();
        switch (kind) {
            case "tensor":
                return Output.tensor();
            case "tuple": {
                JsonNode index = out.path("index");
                if (!index.isMissingNode() && (!index.isInt() || index.asInt() < 0)) {
                    throw new IllegalArgumentException(where + ": output.index must be a non-negative integer, got " + index);
                }
                return new Output(OutputKind.TUPLE, index.asInt(0), null);
            }
            case "dict": {
                JsonNode key = out.path("key");
                if (!key.isTextual() || key.asText().isEmpty()) {
                    throw new IllegalArgumentException(where + ": output.key is missing: which entry of the dict holds the logits "
                            + "(torchvision: \"out\")");
                }
                return new Output(OutputKind.DICT, 0, key.asText());
            }
            default:
                throw new IllegalArgumentException(where + ": output.kind must be \"tensor\", \"tuple\" or \"dict\", got \"" + kind + "\"");
        }
    }

    private static JsonNode required(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": missing field '" + field + "'");
        }
        return v;
    }

    private static String optionalText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be a file name, got " + v);
        }
        return v.asText();
    }

    private static float[] triple(JsonNode v, String field, String where) {
        if (!v.isArray() || v.size() != 3) {
            throw new IllegalArgumentException(where + ": " + field + " must hold 3 numbers (one per channel), got "
                    + (v.isArray() ? v.size() : v.toString()));
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException(where + ": " + field + " must hold numbers, got " + v.get(i));
            }
            out[i] = (float) v.get(i).asDouble();
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public int numClasses() {
        return classes.size();
    }

    /** This card with the network in {@code torchscriptFile} and no ONNX file (e.g. a fine-tuned copy). */
    public ModelCard withTorchScript(String torchscriptFile) {
        return new ModelCard(torchscriptFile, null, classes, input, output, ignoreIndex, extra);
    }

    /** This card with {@code field} set among the extra top-level fields (e.g. "provenance"). */
    public ModelCard withExtra(String field, JsonNode value) {
        ObjectNode e = extra.deepCopy();
        e.set(field, value);
        return new ModelCard(torchscript, onnx, classes, input, output, ignoreIndex, e);
    }

    /** The card as JSON, in the field order of the format. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("format", FORMAT);
        if (torchscript != null) {
            n.put("torchscript", torchscript);
        }
        if (onnx != null) {
            n.put("onnx", onnx);
        }
        ArrayNode cls = n.putArray("classes");
        classes.forEach(cls::add);
        ObjectNode in = n.putObject("input");
        if (input.size() != null) {
            in.putArray("size").add(input.size()[0]).add(input.size()[1]);
        }
        in.put("channel_order", input.bgr() ? "BGR" : "RGB");
        ArrayNode mean = in.putArray("mean");
        ArrayNode std = in.putArray("std");
        for (int c = 0; c < 3; c++) {
            mean.add(input.mean()[c]);
            std.add(input.std()[c]);
        }
        in.put("range", input.scale() == 1f ? "0-1" : "0-255");
        ObjectNode out = n.putObject("output");
        out.put("kind", output.kind().name().toLowerCase(Locale.ROOT));
        if (output.kind() == OutputKind.TUPLE) {
            out.put("index", output.index());
        } else if (output.kind() == OutputKind.DICT) {
            out.put("key", output.key());
        }
        n.put("ignore_index", ignoreIndex);
        n.setAll(extra.deepCopy());
        return n;
    }

    /** The card as pretty-printed JSON bytes. */
    public byte[] toBytes() {
        try {
            return MAPPER.writeValueAsBytes(toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
