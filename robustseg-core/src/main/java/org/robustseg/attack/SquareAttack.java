package org.robustseg.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.robustseg.Fluent;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ImageStreams;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.PixelAccuracy;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion &amp; Hein 2020): a score-based random
 * search that uses forward passes only, for L∞ and L2. The window's area is a fraction p of the
 * image, p_init at first and halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 of 10 000
 * queries (the schedule rescaled to the budget); a change is kept per image only if the image got
 * worse for the model.
 * <ul>
 *   <li><b>L∞</b> (p_init 0.05): starts from vertical stripes of ±eps (one sign per column and
 *       channel); each query redraws one random square window, one ±eps value per channel.
 *   <li><b>L2</b> (p_init 0.1, the paper's Algorithm 3): starts from a grid of "meta-patterns"
 *       ({@link #metaPattern}: two halves of opposite sign, each a stack of centred squares with
 *       weights 1/(k+1)², so the mass sits in the middle), a random sign per block and channel,
 *       scaled to ‖δ‖₂ = eps. Each query picks two windows: the second's perturbation is moved into
 *       the first, on top of a fresh signed meta-pattern, keeping per channel the energy of both
 *       windows plus an equal share of the budget left unused; then δ is rescaled to eps (and the
 *       image clipped to [0,1]). Moving mass, rather than adding it, is what lets a search whose
 *       budget is spent at the first query keep exploring.
 * </ul>
 *
 * <p>Adapted to segmentation: "worse" is the attack's per-image criterion everywhere in
 * robustseg — lower pixel accuracy on valid pixels, ties broken by a higher {@link #objective}
 * (default the mean pixel CE over valid pixels). Why a black-box attack at all: it does not need
 * the gradient, so where a white-box attack fails because the gradient is masked (quantised or
 * otherwise non-differentiable inputs, shattered gradients), Square still succeeds, and that
 * disagreement is the first warning of {@code metric.GradientMasking}.
 */
public final class SquareAttack extends Fluent<SquareAttack> implements BudgetedAttack {
    private Norm norm = Norm.LINF;
    private float eps = 8 / 255f;
    private int queries = 1000;
    private float pInit = 0.05f;
    private long seed;
    private Objective objective = Objectives.crossEntropy();
    private long[] imageKeys;

    SquareAttack() {}

    /** The Square attack for {@code norm} with the paper's defaults: eps 8/255 and p_init 0.05 (L∞), eps 0.5 and p_init 0.1 (L2). */
    static SquareAttack of(Norm norm) {
        return new SquareAttack().with(c -> {
            c.norm = norm;
            c.eps = Attacks.defaultEps(norm);
            c.pInit = norm == Norm.LINF ? 0.05f : 0.1f;
        });
    }

    @Override
    public SquareAttack eps(float value) {
        float checked = GradientAttack.checkEps(norm, value);
        return with(c -> c.eps = checked);
    }

    /** Image i draws its stripes and windows from the stream of (seed, keys[i]) (null: one stream for the batch). */
    @Override
    public SquareAttack imageKeys(long[] keys) {
        long[] copy = keys == null ? null : keys.clone();
        return with(c -> c.imageKeys = copy);
    }

    /** Forward passes per image, the initial stripes included (default 1000). */
    public SquareAttack queries(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("queries must be >= 1, got " + value);
        }
        return with(c -> c.queries = value);
    }

    /** The first window's share of the image area (default 0.05 for L∞, 0.1 for L2: the paper's values). */
    public SquareAttack pInit(float value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("pInit must be in (0, 1], got " + value);
        }
        return with(c -> c.pInit = value);
    }

    @Override
    public SquareAttack seed(long value) {
        return with(c -> c.seed = value);
    }

    /** The tie-break loss between candidates of equal accuracy (default pixel CE). */
    public SquareAttack objective(Objective value) {
        Objects.requireNonNull(value, "objective");
        return with(c -> c.objective = value);
    }

    @Override
    public float eps() {
        return eps;
    }

    @Override
    public Norm norm() {
        return norm;
    }

    public int queries() {
        return queries;
    }

    @Override
    public String name() {
        return "square";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("norm", norm.name().toLowerCase(Locale.ROOT));
        m.put("eps", eps);
        m.put("queries", queries);
        m.put("p_init", pInit);
        m.put("seed", seed);
        m.put("loss", objective.name());
        return m;
    }

    /** The window's share of the image at query {@code q} of {@code total} (the paper's schedule). */
    static float share(float pInit, int q, int total) {
        int at = (int) ((long) q * 10000 / total);
        int[] halvings = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
        float p = pInit;
        for (int h : halvings) {
            if (at > h) {
                p /= 2;
            }
        }
        return p;
    }

    @Override
    public AttackResult perturb(SegmentationModel model, NDArray images, NDArray labels) {
        if (norm == Norm.L2) {
            return perturbL2(model, images, labels);
        }
        long[] shape = images.getShape().getShape();
        int n = (int) shape[0];
        int ch = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int per = ch * h * w;
        float[] x0 = images.toFloatArray();
        SplittableRandom[] rngs = streams(n);
        float[] delta = new float[x0.length];
        for (int i = 0; i < n; i++) { // vertical stripes: one sign per (channel, column)
            SplittableRandom rng = rngs[i];
            for (int c = 0; c < ch; c++) {
                for (int col = 0; col < w; col++) {
                    float v = rng.nextBoolean() ? eps : -eps;
                    for (int row = 0; row < h; row++) {
                        delta[i * per + (c * h + row) * w + col] = v;
                    }
                }
            }
        }
        float[][] score = score(model, images, labels, x0, delta);
        float[] accuracy = score[0];
        float[] loss = score[1];
        float[] candidate = delta.clone();
        for (int q = 1; q < queries; q++) {
            int side = (int) Math.round(Math.sqrt(share(pInit, q, queries) * h * w));
            side = Math.max(1, Math.min(side, Math.min(h, w) - 1));
            System.arraycopy(delta, 0, candidate, 0, delta.length);
            for (int i = 0; i < n; i++) {
                redrawWindow(candidate, i * per, ch, h, w, side, rngs[i]);
            }
            keepWorse(score(model, images, labels, x0, candidate), accuracy, loss, candidate, delta, per);
        }
        return result(model, images, labels, x0, delta);
    }

    /** L2: meta-pattern grid at the start, then per query two windows, the second's mass moved into the first. */
    private AttackResult perturbL2(SegmentationModel model, NDArray images, NDArray labels) {
        long[] shape = images.getShape().getShape();
        int n = (int) shape[0];
        int ch = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int per = ch * h * w;
        float[] x0 = images.toFloatArray();
        SplittableRandom[] rngs = streams(n);
        // the start: blocks of a fifth of the image, each a meta-pattern with a random sign per channel
        float[] raw = new float[x0.length];
        int block = Math.max(1, Math.min(h, w) / 5);
        int top0 = (h - block * (h / block)) / 2;
        int left0 = (w - block * (w / block)) / 2;
        float[][] pattern = metaPattern(block, false);
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = rngs[i];
            for (int by = top0; by + block <= h; by += block) {
                for (int bx = left0; bx + block <= w; bx += block) {
                    for (int c = 0; c < ch; c++) {
                        float sign = rng.nextBoolean() ? 1 : -1;
                        for (int r = 0; r < block; r++) {
                            for (int q = 0; q < block; q++) {
                                raw[i * per + (c * h + by + r) * w + bx + q] += sign * pattern[r][q];
                            }
                        }
                    }
                }
            }
        }
        float[] delta = l2Step(x0, raw, n, per); // the clipped perturbation actually applied
        float[][] score = score(model, images, labels, x0, delta);
        float[] accuracy = score[0];
        float[] loss = score[1];
        float[] candidate = new float[delta.length];
        for (int q = 1; q < queries; q++) {
            int side = (int) Math.round(Math.sqrt(share(pInit, q, queries) * h * w));
            side = Math.max(side, 3);
            side += side % 2 == 0 ? 1 : 0;
            side = Math.min(side, Math.min(h, w));
            System.arraycopy(delta, 0, candidate, 0, delta.length);
            for (int i = 0; i < n; i++) {
                moveWindow(candidate, i * per, ch, h, w, side, rngs[i]);
            }
            float[] next = l2Step(x0, candidate, n, per);
            keepWorse(score(model, images, labels, x0, next), accuracy, loss, next, delta, per);
        }
        return result(model, images, labels, x0, delta);
    }

    /**
     * Image i's random stream: one shared by the whole batch, or with {@link #imageKeys} the stream
     * of (seed, key i), so an image's search does not depend on the batch it is in.
     */
    private SplittableRandom[] streams(int n) {
        if (imageKeys != null && imageKeys.length != n) {
            throw new IllegalArgumentException("imageKeys holds " + imageKeys.length + " keys for a batch of " + n + " images");
        }
        SplittableRandom[] rngs = new SplittableRandom[n];
        SplittableRandom shared = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            rngs[i] = imageKeys == null ? shared : ImageStreams.generator(seed, imageKeys[i]);
        }
        return rngs;
    }

    /**
     * Random search's acceptance, per image: the candidate replaces the current perturbation where it
     * lowers pixel accuracy, or keeps it and raises the loss. {@code s} holds [accuracy, loss] per image.
     */
    private static void keepWorse(float[][] s, float[] accuracy, float[] loss, float[] candidate, float[] delta, int per) {
        for (int i = 0; i < accuracy.length; i++) {
            boolean worse = s[0][i] < accuracy[i] || s[0][i] == accuracy[i] && s[1][i] > loss[i];
            if (worse) {
                accuracy[i] = s[0][i];
                loss[i] = s[1][i];
                System.arraycopy(candidate, i * per, delta, i * per, per);
            }
        }
    }

    /** The attack's result: the images with the kept perturbation, evaluated once more. */
    private static AttackResult result(SegmentationModel model, NDArray images, NDArray labels, float[] x0, float[] delta) {
        NDArray adversarial = OwnedArrays.of(images.getManager(), apply(x0, delta), images.getShape());
        return GradientAttack.evaluate(model, adversarial, labels);
    }

    /**
     * One L2 query on one image's perturbation: window 2's perturbation goes to 0, window 1's becomes
     * a fresh meta-pattern with a random sign per channel plus its old content (normalised), scaled
     * per channel to √(max(eps² − ‖δ‖², 0)/C + ‖δ on both windows‖²).
     */
    private void moveWindow(float[] delta, int offset, int ch, int h, int w, int side, SplittableRandom rng) {
        int top1 = rng.nextInt(h - side + 1);
        int left1 = rng.nextInt(w - side + 1);
        int top2 = rng.nextInt(h - side + 1);
        int left2 = rng.nextInt(w - side + 1);
        float[][] pattern = metaPattern(side, rng.nextBoolean());
        double image = 0;
        for (int k = 0; k < ch * h * w; k++) {
            image += (double) delta[offset + k] * delta[offset + k];
        }
        double unused = Math.max(eps * (double) eps - image, 0) / ch;
        for (int c = 0; c < ch; c++) {
            int base = offset + c * h * w;
            double window1 = 0;
            double windows = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean in1 = inside(y, x, top1, left1, side);
                    if (in1 || inside(y, x, top2, left2, side)) {
                        double v = delta[base + y * w + x];
                        windows += v * v;
                        window1 += in1 ? v * v : 0;
                    }
                }
            }
            double norm1 = Math.sqrt(window1) + 1e-12;
            float sign = rng.nextBoolean() ? 1 : -1;
            float[] fresh = new float[side * side];
            double freshNorm = 0;
            for (int r = 0; r < side; r++) {
                for (int q = 0; q < side; q++) {
                    fresh[r * side + q] = (float) (sign * pattern[r][q] + delta[base + (top1 + r) * w + left1 + q] / norm1);
                    freshNorm += (double) fresh[r * side + q] * fresh[r * side + q];
                }
            }
            double scale = Math.sqrt(unused + windows) / (Math.sqrt(freshNorm) + 1e-12);
            for (int r = 0; r < side; r++) {
                for (int q = 0; q < side; q++) {
                    delta[base + (top2 + r) * w + left2 + q] = 0;
                }
            }
            for (int r = 0; r < side; r++) {
                for (int q = 0; q < side; q++) {
                    delta[base + (top1 + r) * w + left1 + q] = (float) (fresh[r * side + q] * scale);
                }
            }
        }
    }

    private static boolean inside(int y, int x, int top, int left, int side) {
        return y >= top && y < top + side && x >= left && x < left + side;
    }

    /** Per image: δ rescaled to ‖δ‖₂ = eps, then clipped so that x0 + δ stays in [0,1]; returns the clipped δ. */
    private float[] l2Step(float[] x0, float[] raw, int n, int per) {
        float[] out = new float[raw.length];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int k = i * per; k < (i + 1) * per; k++) {
                sq += (double) raw[k] * raw[k];
            }
            double scale = eps / (Math.sqrt(sq) + 1e-12);
            for (int k = i * per; k < (i + 1) * per; k++) {
                float x = (float) Math.min(1, Math.max(0, x0[k] + raw[k] * scale));
                out[k] = x - x0[k];
            }
        }
        return out;
    }

    /**
     * The L2 meta-pattern of a side×side window with unit L2 norm: the top ⌊side/2⌋ rows are
     * {@link #centredSquares} of that height, the rest the same with the opposite sign; transposed
     * if asked (the paper draws the orientation at random).
     */
    static float[][] metaPattern(int side, boolean transpose) {
        float[][] p = new float[side][side];
        float[][] top = centredSquares(side / 2, side);
        float[][] bottom = centredSquares(side - side / 2, side);
        for (int r = 0; r < side; r++) {
            for (int q = 0; q < side; q++) {
                p[r][q] = r < side / 2 ? top[r][q] : -bottom[r - side / 2][q];
            }
        }
        normalise(p);
        if (!transpose) {
            return p;
        }
        float[][] t = new float[side][side];
        for (int r = 0; r < side; r++) {
            for (int q = 0; q < side; q++) {
                t[q][r] = p[r][q];
            }
        }
        return t;
    }

    /** An a×b block of nested rectangles around its centre, the k-th (k = 0 the innermost) weighted 1/(k+1)², unit L2 norm. */
    static float[][] centredSquares(int a, int b) {
        float[][] d = new float[a][b];
        int r0 = a / 2;
        int c0 = b / 2;
        for (int k = 0; k < Math.max(a / 2 + 1, b / 2 + 1); k++) {
            float weight = 1f / ((k + 1) * (k + 1));
            for (int r = Math.max(r0 - k, 0); r < Math.min(r0 - k + 2 * k + 1, a); r++) {
                for (int q = Math.max(c0 - k, 0); q < Math.min(c0 - k + 2 * k + 1, b); q++) {
                    d[r][q] += weight;
                }
            }
        }
        normalise(d);
        return d;
    }

    private static void normalise(float[][] d) {
        double sq = 0;
        for (float[] row : d) {
            for (float v : row) {
                sq += (double) v * v;
            }
        }
        double norm = Math.sqrt(sq);
        if (norm == 0) {
            return;
        }
        for (float[] row : d) {
            for (int q = 0; q < row.length; q++) {
                row[q] = (float) (row[q] / norm);
            }
        }
    }

    /** One image's window: a random position, one fresh ±eps per channel, redrawn until it changes something. */
    private void redrawWindow(float[] delta, int offset, int ch, int h, int w, int side, SplittableRandom rng) {
        for (int attempt = 0; attempt < 16; attempt++) {
            int top = rng.nextInt(h - side + 1);
            int left = rng.nextInt(w - side + 1);
            boolean changed = false;
            for (int c = 0; c < ch; c++) {
                float v = rng.nextBoolean() ? eps : -eps;
                for (int row = top; row < top + side; row++) {
                    for (int col = left; col < left + side; col++) {
                        int k = offset + (c * h + row) * w + col;
                        changed |= delta[k] != v;
                        delta[k] = v;
                    }
                }
            }
            if (changed) {
                return;
            }
        }
    }

    private static float[] apply(float[] x0, float[] delta) {
        float[] x = new float[x0.length];
        for (int k = 0; k < x.length; k++) {
            x[k] = Math.min(1f, Math.max(0f, x0[k] + delta[k]));
        }
        return x;
    }

    /** Per image accuracy and objective at x0 + delta (clipped): one forward pass, no gradient. */
    private float[][] score(SegmentationModel model, NDArray images, NDArray labels, float[] x0, float[] delta) {
        try (NDManager m = images.getManager().newSubManager()) {
            NDArray x = OwnedArrays.of(m, apply(x0, delta), images.getShape());
            NDArray logits = model.logits(x);
            float[] acc = PixelAccuracy.perSample(logits, labels).toFloatArray();
            float[] l = objective.perSample(Objective.Context.of(x, images, logits, labels)).toFloatArray();
            return new float[][] {acc, l};
        }
    }

    @Override
    public String toString() {
        return "square(" + norm + ", eps=" + eps + ", queries=" + queries + ", pInit=" + pInit + ", seed=" + seed + ", loss=" + objective.name() + ")";
    }
}
