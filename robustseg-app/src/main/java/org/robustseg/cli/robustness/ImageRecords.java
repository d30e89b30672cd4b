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
import org.robustseg.metric.ConfusionMatrix;
import org.robustseg.metric.Robustness;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;

/**
 * The per-image files of an attack run (per-image/&lt;checkpoint&gt;/&lt;id&gt;.json): one image's
 * figures at every budget — its mIoU, pixel accuracy, per-class IoU and its confusion matrix, from
 * which the data-set figures are summed exactly — under the fingerprint of the job that wrote it.
 * Written atomically, so a file is either whole or absent; read back only when its fingerprint and
 * budgets are this job's, so a rerun reuses finished images and nothing else.
 */
final class ImageRecords {
    private ImageRecords() {}

    /** Writes one image's points (one per budget, in budget order). */
    static void write(Path file, String fingerprint, Checkpoint ckpt, List<Robustness.ImagePoint> points) {
        ObjectNode root = Json.object();
        root.put("id", points.get(0).id());
        root.put("index", points.get(0).index());
        root.put("job", fingerprint);
        root.put("checkpoint", ckpt.file().toAbsolutePath().toString());
        ArrayNode list = root.putArray("points");
        for (Robustness.ImagePoint p : points) {
            ObjectNode entry = (ObjectNode) Json.toTree(p.metrics());
            entry.put("eps", p.eps());
            ArrayNode counts = entry.putArray("confusion");
            for (long c : p.confusion().counts()) {
                counts.add(c);
            }
            list.add(entry);
        }
        Json.write(file, root);
    }

    /**
     * The image's points at {@code budgets} if {@code file} holds them under {@code fingerprint};
     * null if it is absent or was written by another job.
     */
    static List<Robustness.ImagePoint> read(Path file, String fingerprint, List<Float> budgets, int classes) {
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
        for (int k = 0; k < budgets.size(); k++) {
            JsonNode p = root.path("points").get(k);
            if (Float.compare(p.path("eps").floatValue(), budgets.get(k)) != 0 || p.path("confusion").size() != classes * classes) {
                return null;
            }
            long[] counts = new long[classes * classes];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = p.path("confusion").get(i).asLong();
            }
            points.add(new Robustness.ImagePoint(root.path("index").asInt(), root.path("id").asText(), budgets.get(k),
                    ConfusionMatrix.of(classes, counts)));
        }
        return points;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
