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
 * The Square attack (Andriushchenko, Croce, Flammarion &amp; Hein 2020), L∞: a score-based random
 * search that uses forward passes only. It starts from vertical stripes of ±eps (one sign per
 * column and channel) and at each query redraws one random square window of the perturbation,
 * one ±eps value per channel, keeping the change per image only if the image got worse for the
 * model. The window's area is a fraction p of the image, p_init at first and halved at 10, 50,
 * 200, 500, 1000, 2000, 4000, 6000 and 8000 of 10 000 queries (the schedule rescaled to the budget).
 *
 * <p>Adapted to segmentation: "worse" is the attack's per-image criterion everywhere in
 * robustseg — lower pixel accuracy on valid pixels, ties broken by a higher {@link #objective}
 * (default the mean pixel CE over valid pixels). Why a black-box attack at all: it does not need
 * the gradient, so where a white-box attack fails because the gradient is masked (quantised or
 * otherwise non-differentiable inputs, shattered gradients), Square still succeeds, and that
 * disagreement is the first warning of {@code metric.GradientMasking}.
 */
public final class SquareAttack extends Fluent<SquareAttack> implements BudgetedAttack {
    private float eps = 8 / 255f;
    private int queries = 1000;
    private float pInit = 0.05f;
    private long seed;
    private Objective objective = Objectives.crossEntropy();
    private long[] imageKeys;

    SquareAttack() {}

    @Override
    public SquareAttack eps(float value) {
        float checked = GradientAttack.checkEps(Norm.LINF, value);
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

    /** The first window's share of the image area (default 0.05, the paper's L∞ value). */
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
        return Norm.LINF;
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
        m.put("norm", Norm.LINF.name().toLowerCase(Locale.ROOT));
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
        long[] shape = images.getShape().getShape();
        int n = (int) shape[0];
        int ch = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int per = ch * h * w;
        float[] x0 = images.toFloatArray();
        SplittableRandom[] rngs = new SplittableRandom[n]; // one stream for the batch, or one per image
        if (imageKeys != null && imageKeys.length != n) {
            throw new IllegalArgumentException("imageKeys holds " + imageKeys.length + " keys for a batch of " + n + " images");
        }
        SplittableRandom shared = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            rngs[i] = imageKeys == null ? shared : ImageStreams.generator(seed, imageKeys[i]);
        }
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
            float[][] s = score(model, images, labels, x0, candidate);
            for (int i = 0; i < n; i++) {
                boolean worse = s[0][i] < accuracy[i] || s[0][i] == accuracy[i] && s[1][i] > loss[i];
                if (worse) {
                    accuracy[i] = s[0][i];
                    loss[i] = s[1][i];
                    System.arraycopy(candidate, i * per, delta, i * per, per);
                }
            }
        }
        NDArray adversarial = OwnedArrays.of(images.getManager(), apply(x0, delta), images.getShape());
        return GradientAttack.evaluate(model, adversarial, labels);
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
        return "square(eps=" + eps + ", queries=" + queries + ", pInit=" + pInit + ", seed=" + seed + ", loss=" + objective.name() + ")";
    }
}
