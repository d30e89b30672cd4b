package org.robustseg.cli.robustness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.robustseg.metric.ImageMetrics;
import org.robustseg.metric.Robustness;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;

/**
 * The per-image files of an attack run (per-image/&lt;checkpoint&gt;/&lt;id&gt;.json): one image's
 * results at every budget — per result its own mIoU, pixel accuracy and per-class IoU for a reader,
 * and the integer counts every data-set figure is merged from ({@link ImageMetrics.Counts}: confusion
 * cells and objects); for an ensemble scored member by member, every member's result and the one
 * the ensemble keeps — under the fingerprint of the job that wrote it. No time is recorded, so a
 * file recomputed after a lost node is byte for byte the one it replaces. Written atomically, so a
 * file is either whole or absent; read back only when its fingerprint, budgets and result counts
 * are this job's, so a rerun reuses finished images and nothing else.
 */
final class ImageRecords {
    /** The layout of the files; part of every job's fingerprint, so files of another layout are recomputed, never misread. */
    static final String FORMAT = "per-image counts v2";

    private ImageRecords() {}

    /**
     * Writes one image's points (one per budget, in budget order); {@code names.get(k)} names the
     * results at budget k (clean, the attack, or an ensemble's members).
     */
    static void write(Path file, String fingerprint, Checkpoint ckpt, List<List<String>> names, List<Robustness.ImagePoint> points) {
        ObjectNode root = Json.object();
        root.put("id", points.get(0).id());
        root.put("index", points.get(0).index());
        root.put("job", fingerprint);
        root.put("checkpoint", ckpt.file().toAbsolutePath().toString());
        ArrayNode list = root.putArray("points");
        for (int b = 0; b < points.size(); b++) {
            Robustness.ImagePoint p = points.get(b);
            ObjectNode entry = list.addObject();
            entry.put("eps", p.eps());
            entry.put("kept", p.kept());
            ArrayNode results = entry.putArray("results");
            for (int k = 0; k < p.results().size(); k++) {
                ImageMetrics.Counts c = p.results().get(k).counts();
                ObjectNode r = results.addObject();
                r.put("name", names.get(b).get(k));
                r.setAll((ObjectNode) Json.toTree(c.confusion().metrics()));
                r.set("cells", ints(c.cells()));
                r.set("objects", ints(c.objects()));
            }
        }
        Json.write(file, root);
    }

    /**
     * The image's points at {@code budgets} if {@code file} holds them under {@code fingerprint},
     * with {@code results.get(k)} results at budget k, of {@code classes} classes; null if it is
     * absent, was written by another job or does not hold what this job expects.
     */
    static List<Robustness.ImagePoint> read(Path file, String fingerprint, List<Float> budgets, List<Integer> results, int classes) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            // written atomically, so this is not a half-written file of ours: someone else's, evaluate again
            return null;
        }
        if (!fingerprint.equals(root.path("job").asText()) || root.path("points").size() != budgets.size()) {
            return null;
        }
        List<Robustness.ImagePoint> points = new ArrayList<>();
        try {
            for (int k = 0; k < budgets.size(); k++) {
                JsonNode p = root.path("points").get(k);
                if (Float.compare(p.path("eps").floatValue(), budgets.get(k)) != 0 || p.path("results").size() != results.get(k)) {
                    return null;
                }
                List<Robustness.ImageResult> list = new ArrayList<>();
                for (JsonNode r : p.path("results")) {
                    list.add(new Robustness.ImageResult(new ImageMetrics.Counts(classes, ints(r.path("cells")), ints(r.path("objects"))),
                            0, null));
                }
                points.add(new Robustness.ImagePoint(root.path("index").asInt(), root.path("id").asText(), budgets.get(k), list,
                        p.path("kept").asInt(-1)));
            }
        } catch (IllegalArgumentException e) {
            return null; // counts that do not make an image of this job's classes: evaluate again
        }
        return points;
    }

    private static ArrayNode ints(int[] values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static int[] ints(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("not an array");
        }
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            if (!array.get(i).canConvertToInt()) {
                throw new IllegalArgumentException("not an int: " + array.get(i));
            }
            v[i] = array.get(i).asInt();
        }
        return v;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
