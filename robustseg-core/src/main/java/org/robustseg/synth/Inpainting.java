package org.robustseg.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.robustseg.Fluent;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.IterationListener;
import org.robustseg.optim.Mask;

/**
 * Inpainting: fill a hole ({@link Fill}), then minimise the pixel cross-entropy between the
 * model's prediction and a target label map over the hole grown by {@link #dilate} pixels,
 * letting only the hole's pixels change (the {@link org.robustseg.optim.Step}'s mask), within an
 * L2 ball of radius {@link #eps} around the filled image. One configuration of
 * {@link org.robustseg.optim.InputOptimizer}; pixels outside the hole stay bit-identical.
 *
 * <p>Defaults, tuned on FashionScenes (see the README): L2, eps 8, step 0.25, 60 steps, mean
 * fill, loss over the hole dilated by 3 pixels, no smoothing. Immutable ({@link Fluent}); each
 * setter returns a modified copy.
 */
public final class Inpainting extends Fluent<Inpainting> {
    // The tuned defaults, public so that front ends (the CLI's option defaults) read them from
    // here instead of retyping them: one place to change a default.
    /** Default ball: "l2" (a {@link Norm#parse} name, or "unconstrained"). */
    public static final String DEFAULT_NORM = "l2";
    public static final float DEFAULT_EPS = 8f;
    public static final float DEFAULT_STEP_SIZE = 0.25f;
    public static final int DEFAULT_STEPS = 60;
    /** Default fill: "mean" (a {@link Fill#parse} name). */
    public static final String DEFAULT_FILL = "mean";
    public static final int DEFAULT_DILATE = 3;
    /** Default gradient blur sigma and total-variation weight: 0, off (shared with {@link Generation}). */
    public static final float DEFAULT_SMOOTHING = 0f;
    public static final float DEFAULT_TV = 0f;

    private Norm norm = Norm.parse(DEFAULT_NORM);
    private float eps = DEFAULT_EPS;
    private float stepSize = DEFAULT_STEP_SIZE;
    private int steps = DEFAULT_STEPS;
    private Fill fill = Fill.parse(DEFAULT_FILL);
    private int dilate = DEFAULT_DILATE;
    private float smoothing = DEFAULT_SMOOTHING;
    private float tv = DEFAULT_TV;
    private long seed;
    private IterationListener listener = IterationListener.NONE;

    Inpainting() {}

    /** The ball's norm; L2 (default) or LINF. */
    public Inpainting norm(Norm value) {
        java.util.Objects.requireNonNull(value, "norm");
        return with(c -> c.norm = value);
    }

    /** No ball: the hole may take any value in [0,1]. */
    public Inpainting unconstrained() {
        return with(c -> c.norm = null);
    }

    /** "l2", "linf" or "unconstrained". */
    public Inpainting norm(String value) {
        return "unconstrained".equalsIgnoreCase(value == null ? "" : value.trim()) ? unconstrained() : norm(Norm.parse(value));
    }

    /** Radius of the ball around the filled image (pixel units, norm's measure). */
    public Inpainting eps(float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("eps must be a finite number > 0, got " + value);
        }
        return with(c -> c.eps = value);
    }

    /** Length of one (per-image normalised) step. */
    public Inpainting stepSize(float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("step size must be a finite number > 0, got " + value);
        }
        return with(c -> c.stepSize = value);
    }

    /** Number of gradient steps. */
    public Inpainting steps(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + value);
        }
        return with(c -> c.steps = value);
    }

    /** How the hole is filled before the first step (default: the image mean). */
    public Inpainting fill(Fill value) {
        java.util.Objects.requireNonNull(value, "fill");
        return with(c -> c.fill = value);
    }

    /** The loss is taken over the hole grown by this many pixels (0: the hole only). */
    public Inpainting dilate(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("dilate must be >= 0, got " + value);
        }
        return with(c -> c.dilate = value);
    }

    /** Gaussian blur of the gradient with this sigma in pixels before each step (0: none). */
    public Inpainting smoothing(float sigma) {
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("smoothing sigma must be a finite number >= 0, got " + sigma);
        }
        return with(c -> c.smoothing = sigma);
    }

    /** Weight of a total-variation term added to the cross-entropy (0: none). */
    public Inpainting tv(float weight) {
        if (!(weight >= 0) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("tv weight must be a finite number >= 0, got " + weight);
        }
        return with(c -> c.tv = weight);
    }

    /** Seed of the noise fill. */
    public Inpainting seed(long value) {
        return with(c -> c.seed = value);
    }

    /**
     * Watches every iterate of the run (live progress; throwing stops it, see {@link IterationListener}).
     * Not a setting of the result: it is left out of {@link #settings()}.
     */
    public Inpainting listener(IterationListener value) {
        java.util.Objects.requireNonNull(value, "listener");
        return with(c -> c.listener = value);
    }

    public Fill fill() {
        return fill;
    }

    public int steps() {
        return steps;
    }

    public float stepSize() {
        return stepSize;
    }

    public long seed() {
        return seed;
    }

    /** Everything that determines a run, for provenance. */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "inpainting");
        m.put("norm", norm == null ? "unconstrained" : norm.toString());
        m.put("eps", norm == null ? null : eps);
        m.put("step_size", stepSize);
        m.put("steps", steps);
        m.put("fill", fill.toString());
        m.put("loss", "ce over the hole dilated by " + dilate + " px" + (tv > 0 ? " + " + tv + "*tv" : ""));
        m.put("dilate", dilate);
        m.put("gradient_smoothing_sigma", smoothing);
        m.put("tv_weight", tv);
        m.put("seed", seed);
        return m;
    }

    /**
     * The filled images: image i of {@code images} (N×3×H×W floats) with its hole filled; image i's
     * noise comes from the stream of index {@code firstIndex + i}.
     */
    public float[] filled(float[] images, List<Hole> holes, long firstIndex) {
        int n = holes.size();
        int px = images.length / Math.max(1, n);
        float[] out = new float[images.length];
        for (int i = 0; i < n; i++) {
            float[] one = java.util.Arrays.copyOfRange(images, i * px, (i + 1) * px);
            System.arraycopy(fill.apply(one, holes.get(i), Synthesis.imageRng(seed, firstIndex + i)), 0, out, i * px, px);
        }
        return out;
    }

    /**
     * The loss target: {@code target} inside each hole grown by {@link #dilate} pixels, ignore (255)
     * elsewhere.
     */
    public int[] lossTarget(int[] target, List<Hole> holes) {
        int[] out = new int[target.length];
        int plane = target.length / holes.size();
        for (int i = 0; i < holes.size(); i++) {
            boolean[] grown = holes.get(i).dilate(dilate).pixels();
            for (int p = 0; p < plane; p++) {
                out[i * plane + p] = grown[p] ? target[i * plane + p] : SegSample.IGNORE;
            }
        }
        return out;
    }

    /**
     * Inpaints image i's hole {@code holes.get(i)} towards {@code target} (N×H×W class ids, 255 =
     * ignore). Images N×3×H×W in [0,1]; the arrays may live in any manager and are not changed.
     */
    public SynthesisResult run(SegmentationModel model, NDArray images, List<Hole> holes, NDArray target) {
        return run(model, images, holes, target, 0);
    }

    /** Like {@link #run(SegmentationModel, NDArray, List, NDArray)}; image i's noise fill uses index firstIndex + i. */
    public SynthesisResult run(SegmentationModel model, NDArray images, List<Hole> holes, NDArray target, long firstIndex) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("images must be N×3×H×W (RGB), got shape " + s);
        }
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        if (holes.size() != n) {
            throw new IllegalArgumentException(holes.size() + " holes for " + n + " images");
        }
        for (Hole hole : holes) {
            if (hole.height() != h || hole.width() != w) {
                throw new IllegalArgumentException("mask is " + hole.width() + "x" + hole.height() + " but the image is " + w + "x" + h);
            }
            hole.requireNonEmpty("mask");
        }
        Shape ts = target.getShape();
        if (ts.dimension() != 3 || ts.get(0) != n || ts.get(1) != h || ts.get(2) != w) {
            throw new IllegalArgumentException("target label map of shape " + ts + " does not match images of shape " + s);
        }
        int[] t = target.toType(DataType.INT32, false).toIntArray();
        Synthesis.checkLabels(t, model.numClasses(), "target label map");
        float[] start = filled(images.toType(DataType.FLOAT32, false).toFloatArray(), holes, firstIndex);
        boolean[] region = new boolean[n * h * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(holes.get(i).pixels(), 0, region, i * h * w, h * w);
        }
        try (NDManager m = images.getManager().newSubManager()) {
            NDArray holeMask = Hole.stack(m, holes);
            return Synthesis.optimise(model, m, start, n, h, w, lossTarget(t, holes), t, region,
                    Synthesis.step(norm, eps, stepSize, Mask.of(holeMask)), Synthesis.objective(tv), steps, smoothing, seed, listener);
        }
    }

    /** One hole shared by every image. */
    public SynthesisResult run(SegmentationModel model, NDArray images, Hole hole, NDArray target) {
        return run(model, images, Collections.nCopies((int) images.getShape().get(0), hole), target);
    }

    /**
     * The default target when none is given: the model's own prediction on the filled image
     * outside the hole and {@code classInside} inside it.
     */
    public int[] targetFromPrediction(SegmentationModel model, NDArray images, List<Hole> holes, int classInside, long firstIndex) {
        if (classInside < 0 || classInside >= model.numClasses()) {
            throw new IllegalArgumentException("class " + classInside + " is not one of the model's classes (0.."
                    + (model.numClasses() - 1) + ")");
        }
        Shape s = images.getShape();
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] start = filled(images.toType(DataType.FLOAT32, false).toFloatArray(), holes, firstIndex);
        try (NDManager m = images.getManager().newSubManager()) {
            int[] pred = model.logits(OwnedArrays.of(m, start, new Shape(n, 3, h, w))).argMax(1).toType(DataType.INT32, false).toIntArray();
            for (int i = 0; i < n; i++) {
                boolean[] in = holes.get(i).pixels();
                for (int p = 0; p < h * w; p++) {
                    if (in[p]) {
                        pred[i * h * w + p] = classInside;
                    }
                }
            }
            return pred;
        }
    }

    @Override
    public String toString() {
        return "Inpainting" + settings().toString().toLowerCase(Locale.ROOT);
    }

    static List<Hole> list(Hole hole, int n) {
        return new ArrayList<>(Collections.nCopies(n, hole));
    }
}
