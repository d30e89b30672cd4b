package org.robustseg.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.robustseg.ProgressListener;
import org.robustseg.data.DataException;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.provenance.Json;

/**
 * Per-class colour statistics of a data set: for each class the mean RGB colour and the 3×3
 * covariance of its pixels' colours. Generation draws its seed images from them
 * ({@link SeedImage}). Written as JSON with the data set's identity, so a generation run says
 * which statistics it started from.
 *
 * @param classNames class names, index = class id
 * @param mean per class the mean colour (R, G, B in [0,1])
 * @param covariance per class the 3×3 colour covariance
 * @param pixels per class the number of pixels the figures come from (0: unseen, defaults used)
 * @param dataset name of the data set fitted on
 * @param contentHash its content hash
 */
public record ColourStatistics(List<String> classNames, double[][] mean, double[][][] covariance, long[] pixels,
                               String dataset, String contentHash) {

    /** Mean and covariance for a class with no pixels: mid-grey with a broad spread. */
    static final double UNSEEN_MEAN = 0.5;
    static final double UNSEEN_VARIANCE = 0.05;

    /** Fits the statistics on every image of {@code data}. */
    public static ColourStatistics fit(SegDataset data, ProgressListener progress) {
        int k = data.classes().size();
        double[][] sum = new double[k][3];
        double[][][] outer = new double[k][3][3];
        long[] count = new long[k];
        progress.start("colour statistics of " + data.name(), data.size());
        for (int i = 0; i < data.size(); i++) {
            SegSample s = data.get(i);
            int plane = s.height() * s.width();
            float[] img = s.image();
            int[] lab = s.labels();
            for (int p = 0; p < plane; p++) {
                int c = lab[p];
                if (c < 0 || c >= k) {
                    continue;
                }
                double[] v = {img[p], img[plane + p], img[2 * plane + p]};
                count[c]++;
                for (int a = 0; a < 3; a++) {
                    sum[c][a] += v[a];
                    for (int b = 0; b < 3; b++) {
                        outer[c][a][b] += v[a] * v[b];
                    }
                }
            }
            progress.advance(1, null);
        }
        progress.finish();
        double[][] mean = new double[k][3];
        double[][][] cov = new double[k][3][3];
        for (int c = 0; c < k; c++) {
            for (int a = 0; a < 3; a++) {
                mean[c][a] = count[c] == 0 ? UNSEEN_MEAN : sum[c][a] / count[c];
            }
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    cov[c][a][b] = count[c] < 2 ? (a == b ? UNSEEN_VARIANCE : 0)
                            : (outer[c][a][b] - count[c] * mean[c][a] * mean[c][b]) / (count[c] - 1);
                }
            }
        }
        return new ColourStatistics(data.classes().names(), mean, cov, count, data.name(), data.contentHash());
    }

    public int numClasses() {
        return classNames.size();
    }

    /** One colour of class {@code c} drawn from N(mean, covariance), clamped to [0,1]. */
    public float[] sample(int c, RandomGenerator rng) {
        double[][] l = cholesky(covariance[c]);
        double[] z = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
        float[] out = new float[3];
        for (int a = 0; a < 3; a++) {
            double v = mean[c][a];
            for (int b = 0; b <= a; b++) {
                v += l[a][b] * z[b];
            }
            out[a] = (float) Math.min(1, Math.max(0, v));
        }
        return out;
    }

    /** Lower-triangular L with L·Lᵀ = m (a tiny jitter keeps degenerate covariances usable). */
    static double[][] cholesky(double[][] m) {
        double[][] l = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j <= i; j++) {
                double s = m[i][j] + (i == j ? 1e-9 : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(Math.max(s, 0)) : (l[j][j] > 0 ? s / l[j][j] : 0);
            }
        }
        return l;
    }

    /** The statistics as JSON, with {@code provenance} (may be null) attached. */
    public ObjectNode toJson(ObjectNode provenance) {
        ObjectNode root = Json.object();
        root.put("format", "robustseg-colour-statistics/1");
        root.put("dataset", dataset);
        root.put("content_hash", contentHash);
        ArrayNode classes = root.putArray("classes");
        for (int c = 0; c < numClasses(); c++) {
            ObjectNode o = classes.addObject();
            o.put("id", c);
            o.put("name", classNames.get(c));
            o.put("pixels", pixels[c]);
            o.set("mean", Json.toTree(mean[c]));
            o.set("covariance", Json.toTree(covariance[c]));
        }
        if (provenance != null) {
            root.set("provenance", provenance);
        }
        return root;
    }

    /** Writes {@link #toJson} atomically. */
    public void write(Path file, ObjectNode provenance) {
        Json.write(file, toJson(provenance));
    }

    /** Reads statistics written by {@link #write}. */
    public static ColourStatistics read(Path file) {
        JsonNode root;
        try {
            root = Json.read(file);
        } catch (RuntimeException e) {
            throw new DataException(file + ": not a colour statistics file: " + e.getMessage(), e);
        }
        if (!"robustseg-colour-statistics/1".equals(root.path("format").asText())) {
            throw new DataException(file + ": not a colour statistics file (format robustseg-colour-statistics/1 expected)");
        }
        JsonNode classes = root.path("classes");
        int k = classes.size();
        List<String> names = new ArrayList<>();
        double[][] mean = new double[k][3];
        double[][][] cov = new double[k][3][3];
        long[] count = new long[k];
        for (int c = 0; c < k; c++) {
            JsonNode o = classes.get(c);
            names.add(o.path("name").asText());
            count[c] = o.path("pixels").asLong();
            for (int a = 0; a < 3; a++) {
                mean[c][a] = o.path("mean").get(a).asDouble();
                for (int b = 0; b < 3; b++) {
                    cov[c][a][b] = o.path("covariance").get(a).get(b).asDouble();
                }
            }
        }
        return new ColourStatistics(names, mean, cov, count, root.path("dataset").asText(), root.path("content_hash").asText());
    }
}
