package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.robustseg.data.SegSample;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.Objective;

/**
 * Saliency maps of a segmentation network: the gradient, with respect to the input image, of a
 * score summed over pixels, reduced to one value per pixel (the L2 norm over the three colour
 * channels), and figures that measure whether a map follows the objects of a label map.
 *
 * <p>Two scores: the <b>whole predicted map</b>, Σ_p s_{ŷ_p}(p) with ŷ_p the pixel's predicted
 * class, and <b>class C</b>, Σ_{p : ŷ_p = C} s_C(p) (all pixels when the image has none predicted
 * as C). The per-pixel score s is the raw logit by default: a log-softmax score saturates on
 * confidently classified pixels (its gradient ∇z_C − Σ_k p_k ∇z_k vanishes as p_C → 1), so its map
 * would show where the net is unsure — mostly boundaries — rather than what it looks at, and it
 * can also rise by lowering the other classes (Simonyan et al. 2014 chose the unnormalised class
 * score for both reasons). {@link Score#LOG_SOFTMAX} is there to check that a finding does not
 * hinge on that choice. The gradient is taken with BatchNorm in eval statistics via
 * {@link InputGradient}, the computation attacks and synthesis use.
 *
 * <p>Alignment: with E(p) = ‖∇_p‖² (the gradient energy of pixel p) and a region R of the label
 * map, the <em>concentration</em> on R is (Σ_R E / Σ E) / (|R| / |image|): 1 for a map spread
 * evenly, 1/area-share when all energy lies in R, below 1 when R is avoided. It is reported for the
 * objects (every non-background class, or class C for a class map) and for the outline band (pixels
 * within {@value #OUTLINE_RADIUS} px, Chebyshev, of a label change; 255 counts as a label, so in
 * Pascal VOC the band follows the void border drawn around each object). Ignore pixels count in
 * neither sum. Figures are NaN where undefined: no energy, or no object pixels.
 */
public final class Saliency {
    private Saliency() {}

    /** The {@code cls} argument of {@link #compute} meaning "the whole predicted map". */
    public static final int WHOLE_MAP = -1;
    /** Class id of the background in FashionScenes and Pascal VOC. */
    public static final int BACKGROUND = 0;
    /** Half-width of the outline band in pixels. */
    public static final int OUTLINE_RADIUS = 2;
    /** Default percentile at which display maps saturate. */
    public static final double DISPLAY_PERCENTILE = 99;

    /** The per-pixel score whose gradient is taken. */
    public enum Score {
        /** The raw logit z_c (default; see the class comment). */
        LOGIT,
        /** log softmax(z)_c. */
        LOG_SOFTMAX;

        /** "logit" or "log-softmax"; the error lists both. */
        public static Score parse(String name) {
            return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
                case "logit" -> LOGIT;
                case "log-softmax" -> LOG_SOFTMAX;
                default -> throw new IllegalArgumentException("unknown score '" + name + "' (known: logit, log-softmax)");
            };
        }

        NDArray of(NDArray logits) {
            return this == LOGIT ? logits : logits.logSoftmax(1);
        }
    }

    /**
     * The maps of one batch.
     *
     * @param magnitude N×H×W: the L2 norm over channels of each pixel's input gradient
     * @param prediction N×H×W: the model's arg-max classes at the input
     * @param classAbsent per image, for a class map: no pixel was predicted as the class, so the map
     *                    sums the class score over all pixels (always false for the whole map)
     */
    public record Maps(int size, int height, int width, float[] magnitude, int[] prediction, boolean[] classAbsent) {
        public float[] map(int i) {
            return Arrays.copyOfRange(magnitude, i * height * width, (i + 1) * height * width);
        }

        public int[] prediction(int i) {
            return Arrays.copyOfRange(prediction, i * height * width, (i + 1) * height * width);
        }
    }

    /**
     * How a map is distributed over a label map's objects and outlines: shares of gradient energy
     * and of pixels, and their ratio, the concentration. NaN where undefined (no energy, no object
     * pixels, no outline).
     */
    public record Alignment(double objectEnergyShare, double objectAreaShare, double objectConcentration,
                            double outlineEnergyShare, double outlineAreaShare, double outlineConcentration)
            implements java.io.Serializable {}

    /** Mean and median of the per-image concentrations (NaN images skipped; {@code images} = those counted for objects). */
    public record Summary(int images, double objectConcentrationMean, double objectConcentrationMedian,
                          double outlineConcentrationMean, double outlineConcentrationMedian,
                          double objectEnergyShareMean, double objectAreaShareMean) {}

    /**
     * The objective whose input gradient is the map: per image, the score summed over the pixels
     * predicted as {@code cls} (all pixels if none), or of each pixel's predicted class when
     * {@code cls} is {@link #WHOLE_MAP}. The prediction is the arg-max of the logits themselves, so
     * no target is needed; the arg-max carries no gradient, as it should.
     */
    public static Objective objective(int cls, Score score) {
        String name = (cls == WHOLE_MAP ? "predicted-map" : "class-" + cls) + "-" + score.name().toLowerCase(Locale.ROOT);
        return Objective.of(name, c -> {
            NDArray logits = c.logits();
            NDArray s = score.of(logits);
            NDArray predicted = logits.argMax(1).toType(DataType.INT64, false);
            if (cls == WHOLE_MAP) {
                return s.gather(predicted.expandDims(1), 1).squeeze(1).sum(new int[] {1, 2});
            }
            NDArray mask = predicted.eq(cls).toType(s.getDataType(), false);
            // an image without pixels of the class gets an all-ones mask (mask is all zero there)
            NDArray absent = mask.sum(new int[] {1, 2}).eq(0).toType(s.getDataType(), false);
            mask = mask.add(absent.reshape(absent.getShape().get(0), 1, 1));
            return s.get(":, " + cls).mul(mask).sum(new int[] {1, 2});
        });
    }

    /**
     * Saliency maps of {@code images} (N×3×H×W in [0,1]) for class {@code cls} or the
     * {@link #WHOLE_MAP}. Temporary arrays live in a sub-manager that is closed before returning.
     */
    public static Maps compute(SegmentationModel model, NDArray images, int cls, Score score) {
        if (cls != WHOLE_MAP && (cls < 0 || cls >= model.numClasses())) {
            throw new IllegalArgumentException("class " + cls + " is not a class of model " + model.name() + " (0.."
                    + (model.numClasses() - 1) + ")");
        }
        int n = (int) images.getShape().get(0);
        int h = (int) images.getShape().get(2);
        int w = (int) images.getShape().get(3);
        try (NDManager m = images.getManager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(m);
            InputGradient g = InputGradient.of(model, x, objective(cls, score), null);
            float[] magnitude = g.gradient().square().sum(new int[] {1}).sqrt().toType(DataType.FLOAT32, false).toFloatArray();
            int[] prediction = g.logits().argMax(1).toType(DataType.INT32, false).toIntArray();
            boolean[] absent = new boolean[n];
            for (int i = 0; cls != WHOLE_MAP && i < n; i++) {
                absent[i] = true;
                for (int p = i * h * w; p < (i + 1) * h * w && absent[i]; p++) {
                    absent[i] = prediction[p] != cls;
                }
            }
            return new Maps(n, h, w, magnitude, prediction, absent);
        }
    }

    /** The value below which {@code percentile} % of the map lies (nearest rank). */
    public static double percentile(float[] map, double percentile) {
        if (map.length == 0 || !(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100] and the map non-empty, got " + percentile);
        }
        float[] sorted = map.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, rank)];
    }

    /**
     * The map scaled to [0,1] for display: divided by its {@code percentile}-th percentile and
     * clipped, so a few extreme pixels do not turn the rest black. Falls back to the maximum when
     * the percentile is 0; an all-zero map stays zero.
     */
    public static float[] forDisplay(float[] map, double percentile) {
        double top = percentile(map, percentile);
        if (!(top > 0)) {
            top = percentile(map, 100);
        }
        float[] out = new float[map.length];
        for (int p = 0; top > 0 && p < map.length; p++) {
            out[p] = (float) Math.min(1, map[p] / top);
        }
        return out;
    }

    /**
     * The alignment of one map (H×W magnitudes) with a label map (H×W, 255 = ignore): objects are
     * the pixels of class {@code cls}, or of every class but {@link #BACKGROUND} when {@code cls}
     * is {@link #WHOLE_MAP}; the outline band surrounds the label changes of that same split
     * (object classes against each other too, for the whole map).
     */
    public static Alignment alignment(float[] map, int[] labels, int height, int width, int cls) {
        if (map.length != height * width || labels.length != map.length) {
            throw new IllegalArgumentException("map of " + map.length + " and labels of " + labels.length + " pixels do not fit "
                    + height + "x" + width);
        }
        int[] split = labels;
        if (cls != WHOLE_MAP) {
            split = new int[labels.length];
            for (int p = 0; p < labels.length; p++) {
                split[p] = labels[p] == SegSample.IGNORE ? SegSample.IGNORE : labels[p] == cls ? 1 : 0;
            }
        }
        int background = cls == WHOLE_MAP ? BACKGROUND : 0;
        boolean[] outline = outline(split, height, width, OUTLINE_RADIUS);
        double total = 0;
        double onObjects = 0;
        double onOutline = 0;
        long counted = 0;
        long objects = 0;
        long outlinePixels = 0;
        for (int p = 0; p < map.length; p++) {
            if (split[p] == SegSample.IGNORE) {
                continue;
            }
            double e = (double) map[p] * map[p];
            counted++;
            total += e;
            if (split[p] != background) {
                objects++;
                onObjects += e;
            }
            if (outline[p]) {
                outlinePixels++;
                onOutline += e;
            }
        }
        // without objects there is nothing to share, nor an outline of them (a band along ignore pixels means nothing)
        double objectEnergy = total > 0 && objects > 0 ? onObjects / total : Double.NaN;
        double outlineEnergy = total > 0 && objects > 0 ? onOutline / total : Double.NaN;
        double objectArea = counted > 0 ? (double) objects / counted : Double.NaN;
        double outlineArea = counted > 0 && objects > 0 ? (double) outlinePixels / counted : Double.NaN;
        return new Alignment(objectEnergy, objectArea, ratio(objectEnergy, objectArea),
                outlineEnergy, outlineArea, ratio(outlineEnergy, outlineArea));
    }

    /** Pixels within {@code radius} (Chebyshev) of a pixel with another label, 255 counting as a label. */
    public static boolean[] outline(int[] labels, int height, int width, int radius) {
        boolean[] band = new boolean[labels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int own = labels[y * width + x];
                for (int dy = -radius; dy <= radius && !band[y * width + x]; dy++) {
                    for (int dx = -radius; dx <= radius; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < height && xx >= 0 && xx < width && labels[yy * width + xx] != own) {
                            band[y * width + x] = true;
                            break;
                        }
                    }
                }
            }
        }
        return band;
    }

    /** Mean and median over images of the concentrations. */
    public static Summary summarise(List<Alignment> perImage) {
        double[] obj = perImage.stream().mapToDouble(Alignment::objectConcentration).filter(Double::isFinite).toArray();
        double[] out = perImage.stream().mapToDouble(Alignment::outlineConcentration).filter(Double::isFinite).toArray();
        double[] energy = perImage.stream().mapToDouble(Alignment::objectEnergyShare).filter(Double::isFinite).toArray();
        double[] area = perImage.stream().mapToDouble(Alignment::objectAreaShare).filter(Double::isFinite).toArray();
        return new Summary(obj.length, mean(obj), median(obj), mean(out), median(out), mean(energy), mean(area));
    }

    private static double ratio(double a, double b) {
        return Double.isFinite(a) && b > 0 ? a / b : Double.NaN;
    }

    private static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
