package org.robustseg.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.robustseg.Fluent;
import org.robustseg.attack.Norm;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.IterationListener;

/**
 * Generation: draw a seed image for a requested label layout from per-class colour statistics
 * ({@link SeedImage}, {@link ColourStatistics}), then minimise the pixel cross-entropy between
 * the model's prediction and the layout over the whole image, within an L2 ball of radius
 * {@link #eps} around the seed. One configuration of {@link org.robustseg.optim.InputOptimizer}.
 *
 * <p>Defaults, tuned on FashionScenes (see the README): gaussian-lowres seeds, L2 eps 30,
 * step 1.0, 100 steps. Immutable ({@link Fluent}); each setter returns a modified copy.
 */
public final class Generation extends Fluent<Generation> {
    // The tuned defaults, public so that front ends (the CLI's option defaults) read them from here.
    /** Default seed images: "gaussian-lowres" (a {@link SeedImage#parse} name). */
    public static final String DEFAULT_SEED_IMAGE = "gaussian-lowres";
    /** Default ball: "l2" (a {@link Norm#parse} name, or "unconstrained"). */
    public static final String DEFAULT_NORM = "l2";
    public static final float DEFAULT_EPS = 30f;
    public static final float DEFAULT_STEP_SIZE = 1f;
    public static final int DEFAULT_STEPS = 100;

    private final ColourStatistics statistics;
    private SeedImage seedImage = SeedImage.parse(DEFAULT_SEED_IMAGE);
    private Norm norm = Norm.parse(DEFAULT_NORM);
    private float eps = DEFAULT_EPS;
    private float stepSize = DEFAULT_STEP_SIZE;
    private int steps = DEFAULT_STEPS;
    private float smoothing = Inpainting.DEFAULT_SMOOTHING;
    private float tv = Inpainting.DEFAULT_TV;
    private long seed;
    private IterationListener listener = IterationListener.NONE;

    Generation(ColourStatistics statistics) {
        this.statistics = Objects.requireNonNull(statistics, "statistics");
    }

    /** How the start image is drawn from the colour statistics (default gaussian-lowres). */
    public Generation seedImage(SeedImage value) {
        Objects.requireNonNull(value, "seedImage");
        return with(c -> c.seedImage = value);
    }

    /** The ball around the seed image the result stays in; L2 (default) or LINF. */
    public Generation norm(Norm value) {
        Objects.requireNonNull(value, "norm");
        return with(c -> c.norm = value);
    }

    /** No ball around the seed: only the [0,1] box. */
    public Generation unconstrained() {
        return with(c -> c.norm = null);
    }

    /** "l2", "linf" or "unconstrained". */
    public Generation norm(String value) {
        return "unconstrained".equalsIgnoreCase(value == null ? "" : value.trim()) ? unconstrained() : norm(Norm.parse(value));
    }

    /** Radius of the ball around the seed (pixel units, the norm's measure). */
    public Generation eps(float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("eps must be a finite number > 0, got " + value);
        }
        return with(c -> c.eps = value);
    }

    /** Length of one (per-image normalised) step. */
    public Generation stepSize(float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("step size must be a finite number > 0, got " + value);
        }
        return with(c -> c.stepSize = value);
    }

    /** Number of gradient steps. */
    public Generation steps(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + value);
        }
        return with(c -> c.steps = value);
    }

    /** Gaussian blur of the gradient with this sigma in pixels before each step (0: none). */
    public Generation smoothing(float sigma) {
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("smoothing sigma must be a finite number >= 0, got " + sigma);
        }
        return with(c -> c.smoothing = sigma);
    }

    /** Weight of a total-variation term added to the cross-entropy (0: none). */
    public Generation tv(float weight) {
        if (!(weight >= 0) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("tv weight must be a finite number >= 0, got " + weight);
        }
        return with(c -> c.tv = weight);
    }

    /** Seed of the seed images; image i uses the stream of index firstIndex + i. */
    public Generation seed(long value) {
        return with(c -> c.seed = value);
    }

    public ColourStatistics statistics() {
        return statistics;
    }

    /**
     * Watches every iterate of the run (live progress; throwing stops it, see {@link IterationListener}).
     * Not a setting of the result: it is left out of {@link #settings()}.
     */
    public Generation listener(IterationListener value) {
        java.util.Objects.requireNonNull(value, "listener");
        return with(c -> c.listener = value);
    }

    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "generation");
        m.put("seed_image", seedImage.toString());
        m.put("norm", norm == null ? "unconstrained" : norm.toString());
        m.put("eps", norm == null ? null : eps);
        m.put("step_size", stepSize);
        m.put("steps", steps);
        m.put("loss", "ce to the layout" + (tv > 0 ? " + " + tv + "*tv" : ""));
        m.put("gradient_smoothing_sigma", smoothing);
        m.put("tv_weight", tv);
        m.put("seed", seed);
        m.put("statistics", Map.of("dataset", statistics.dataset(), "content_hash", statistics.contentHash()));
        return m;
    }

    /** Seed images N×3×H×W for layouts N×H×W; image i draws from the stream of index firstIndex + i. */
    public float[] seeds(int[] layouts, int n, int h, int w, long firstIndex) {
        float[] out = new float[n * 3 * h * w];
        for (int i = 0; i < n; i++) {
            int[] layout = Arrays.copyOfRange(layouts, i * h * w, (i + 1) * h * w);
            float[] one = seedImage.draw(layout, h, w, statistics, Synthesis.imageRng(seed, firstIndex + i));
            System.arraycopy(one, 0, out, i * 3 * h * w, 3 * h * w);
        }
        return out;
    }

    /** Generates one image per layout (N×H×W class ids, 255 = don't care). */
    public SynthesisResult run(SegmentationModel model, NDArray layouts) {
        return run(model, layouts, 0);
    }

    /** Like {@link #run(SegmentationModel, NDArray)}; image i's seed uses index firstIndex + i. */
    public SynthesisResult run(SegmentationModel model, NDArray layouts, long firstIndex) {
        Shape s = layouts.getShape();
        if (s.dimension() != 3) {
            throw new IllegalArgumentException("layouts must be N×H×W, got shape " + s);
        }
        if (model.numClasses() != statistics.numClasses()) {
            throw new IllegalArgumentException("colour statistics cover " + statistics.numClasses() + " classes but the model predicts "
                    + model.numClasses());
        }
        int n = (int) s.get(0);
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        int[] t = layouts.toType(DataType.INT32, false).toIntArray();
        Synthesis.checkLabels(t, model.numClasses(), "layout");
        float[] start = seeds(t, n, h, w, firstIndex);
        boolean[] region = new boolean[n * h * w];
        Arrays.fill(region, true);
        try (NDManager m = layouts.getManager().newSubManager()) {
            return Synthesis.optimise(model, m, start, n, h, w, t, t, region, Synthesis.step(norm, eps, stepSize, null),
                    Synthesis.objective(tv), steps, smoothing, seed, listener);
        }
    }
}
