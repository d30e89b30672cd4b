package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;

/**
 * The objectives of the field. Every pixel loss is averaged over each image's valid (non-255)
 * pixels, so the values of different objectives live on comparable scales and ignore pixels never
 * contribute. The SEA losses follow Croce, Singh and Hein, "Towards reliable evaluation and fast
 * training of robust semantic segmentation models" (2023).
 */
public final class Objectives {
    private Objectives() {}

    /** Names accepted by {@link #parse}. */
    public static final List<String> NAMES = List.of("ce", "masked-ce", "balanced-ce", "js", "masked-spherical", "masked-margin");

    /** Mean pixel cross-entropy over valid pixels ({@link PixelCrossEntropy#perSample}). */
    public static Objective crossEntropy() {
        return Objective.of("ce", PixelCrossEntropy::perSample);
    }

    /**
     * SEA's masked CE: cross-entropy summed only over pixels that are still classified correctly,
     * divided by the number of valid pixels. Once a pixel is flipped it stops pulling the budget.
     */
    public static Objective maskedCrossEntropy() {
        return Objective.of("masked-ce", (logits, target) -> {
            NDArray ce = PixelCrossEntropy.perPixel(logits, target)[0];
            return meanOverValid(ce.mul(PixelAccuracy.correct(logits, target)), logits, target);
        });
    }

    /**
     * SegPGD's balanced CE (Gu et al. 2022): correct pixels weighted by 1-λ, wrong ones by λ, with
     * λ = t / (2T) growing over the run, so early steps flip pixels and later steps push the
     * already-flipped ones further.
     */
    public static Objective balancedCrossEntropy() {
        return Objective.of("balanced-ce", c -> {
            float lambda = c.step() / (2f * Math.max(1, c.steps()));
            NDArray ce = PixelCrossEntropy.perPixel(c.logits(), c.target())[0];
            NDArray correct = PixelAccuracy.correct(c.logits(), c.target());
            // weight = (1-λ) on correct pixels, λ on wrong ones; ce is 0 at ignore pixels already
            NDArray weight = OwnedArrays.mul(correct, 1 - 2 * lambda).add(lambda);
            return meanOverValid(ce.mul(weight), c.logits(), c.target());
        });
    }

    /**
     * Jensen–Shannon divergence between the softmax p and the one-hot target, in nats. With
     * q = one-hot(y) it has the closed form JS = ½[2 ln 2 + p_y ln p_y − (1+p_y) ln(1+p_y)], which
     * is 0 for p_y = 1 and ln 2 for p_y = 0; its gradient fades on pixels already flipped.
     */
    public static Objective jensenShannon() {
        return Objective.of("js", (logits, target) -> {
            NDArray logpy = logits.logSoftmax(1).gather(safeIndex(target).expandDims(1), 1).squeeze(1);
            NDArray py = logpy.exp();
            NDArray js = OwnedArrays.mul(py.mul(logpy).sub(py.add(1).log().mul(py.add(1))).add(2 * Math.log(2)), 0.5);
            return meanOverValid(js.mul(PixelAccuracy.valid(target, logits.getDataType())), logits, target);
        });
    }

    /**
     * SEA's masked spherical loss (Croce et al. 2023, "Mask-Sph"; {@code mask-norm-corrlog-avg} in
     * their code): over pixels still classified correctly, −z_y / ‖z‖₂ with ‖z‖₂ the pixel's logit
     * vector norm, averaged over valid pixels. The gradient flows through the norm, as in the
     * published code: the loss lives on the unit sphere of logits, so raising all logits together
     * earns nothing. Flipped pixels stop contributing.
     */
    public static Objective maskedSpherical() {
        return Objective.of("masked-spherical", (logits, target) -> {
            NDArray zy = logits.gather(safeIndex(target).expandDims(1), 1).squeeze(1);
            NDArray norm = logits.square().sum(new int[] {1}).add(1e-12).sqrt();
            NDArray loss = zy.div(norm).neg().mul(PixelAccuracy.correct(logits, target));
            return meanOverValid(loss, logits, target);
        });
    }

    /**
     * The masked normalised margin of Croce et al.'s code ({@code masked_margin_loss}): over pixels
     * still classified correctly, −(z_y − max_{k≠y} z_k) / ‖z‖₂, averaged over valid pixels. As
     * published, the norm is a constant of the backward pass (detached): the value is scale-free
     * but the gradient is that of the raw margin divided by ‖z‖₂, so it pushes the two logits
     * apart rather than along the sphere. Not one of the SEA ensemble's four losses (that is
     * {@link #maskedSpherical}); kept as an extra attack loss.
     */
    public static Objective maskedMargin() {
        return Objective.of("masked-margin", (logits, target) -> {
            long classes = logits.getShape().get(1);
            NDArray idx = safeIndex(target).expandDims(1);
            NDArray onehot = logits.getManager().arange(classes).toType(DataType.INT64, false)
                    .reshape(new Shape(1, classes, 1, 1)).eq(idx);
            NDArray zy = logits.gather(idx, 1).squeeze(1);
            NDArray others = NDArrays.where(onehot.broadcast(logits.getShape()), logits.zerosLike().sub(Float.POSITIVE_INFINITY), logits);
            NDArray margin = zy.sub(others.max(new int[] {1}));
            NDArray norm = logits.stopGradient().square().sum(new int[] {1}).add(1e-12).sqrt();
            NDArray loss = margin.div(norm).neg().mul(PixelAccuracy.correct(logits, target));
            return meanOverValid(loss, logits, target);
        });
    }

    /**
     * KL(p_ref ‖ p) per pixel, N×H×W in nats, with p_ref = softmax(referenceLogits) and
     * p = softmax(logits): TRADES' pixel-wise robust term (Zhang et al. 2019), reference first as
     * in their code, {@code kl_div(log_softmax(adv), softmax(clean))}.
     */
    public static NDArray klPerPixel(NDArray referenceLogits, NDArray logits) {
        NDArray logRef = referenceLogits.logSoftmax(1);
        return logRef.exp().mul(logRef.sub(logits.logSoftmax(1))).sum(new int[] {1});
    }

    /**
     * TRADES' inner objective: KL(p_ref ‖ p_x) averaged over each image's valid pixels, where
     * {@code referenceLogits} (N×C×H×W, fixed, no gradient) are the clean images' logits. Its
     * gradient vanishes at x = x0, so run it from a random start.
     */
    public static Objective klDivergenceFrom(NDArray referenceLogits) {
        return Objective.of("kl", (logits, target) -> {
            NDArray kl = klPerPixel(referenceLogits, logits);
            return meanOverValid(kl.mul(PixelAccuracy.valid(target, logits.getDataType())), logits, target);
        });
    }

    /**
     * Mean squared distance of x to the start x0 over the pixels where {@code region} is 1 (all
     * pixels if null), averaged over the region's pixels and channels. Combined with CE via
     * {@link #sum} it keeps synthesis close to its seed outside a hole.
     */
    public static Objective distanceToStart(Mask region) {
        return Objective.of("mse-to-start", c -> {
            NDArray d2 = c.x().sub(c.x0()).square();
            if (region == null) {
                return OwnedArrays.div(d2.sum(new int[] {1, 2, 3}), d2.getShape().size() / d2.getShape().get(0));
            }
            NDArray m = region.resolve(c.x().getManager(), c.x().getShape()).toType(d2.getDataType(), false);
            NDArray area = OwnedArrays.maximum(m.broadcast(d2.getShape()).sum(new int[] {1, 2, 3}), 1);
            return d2.mul(m).sum(new int[] {1, 2, 3}).div(area);
        });
    }

    /**
     * Squared total variation of x: the mean over pixels and channels of the squared differences
     * to the right and lower neighbours. Added to a synthesis objective with a small weight it
     * smooths the result (e.g. against the stride-8 grid pattern of upsampling decoders).
     */
    public static Objective totalVariation() {
        return Objective.of("tv", c -> {
            NDArray x = c.x();
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            NDArray dy = x.get(":, :, 1:, :").sub(x.get(":, :, :-1, :")).square().sum(new int[] {1, 2, 3});
            NDArray dx = x.get(":, :, :, 1:").sub(x.get(":, :, :, :-1")).square().sum(new int[] {1, 2, 3});
            return OwnedArrays.div(dy.add(dx), 3.0 * h * w);
        });
    }

    /** {@code weight · objective}, named e.g. "0.5*mse-to-start". */
    public static Objective weighted(float weight, Objective objective) {
        return Objective.of(weight + "*" + objective.name(), c -> OwnedArrays.mul(objective.perSample(c), weight));
    }

    /** The sum of several objectives (use {@link #weighted} for coefficients). */
    public static Objective sum(Objective... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("objective sum needs at least one part");
        }
        String name = List.of(parts).stream().map(Objective::name).collect(Collectors.joining("+"));
        return Objective.of(name, c -> {
            NDArray total = parts[0].perSample(c);
            for (int i = 1; i < parts.length; i++) {
                total = total.add(parts[i].perSample(c));
            }
            return total;
        });
    }

    /** The objective named {@code name} (one of {@link #NAMES}); the error lists the known names. */
    public static Objective parse(String name) {
        switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "ce": return crossEntropy();
            case "masked-ce": return maskedCrossEntropy();
            case "balanced-ce": return balancedCrossEntropy();
            case "js": return jensenShannon();
            case "masked-spherical": return maskedSpherical();
            case "masked-margin": return maskedMargin();
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
    }

    /**
     * The four SEA losses, in the order of the paper's ensemble (their code's
     * {@code ['mask-ce-avg', 'segpgd-loss', 'js-avg', 'mask-norm-corrlog-avg']}).
     */
    public static List<Objective> sea() {
        return List.of(maskedCrossEntropy(), balancedCrossEntropy(), jensenShannon(), maskedSpherical());
    }

    static NDArray safeIndex(NDArray target) {
        NDArray lab = target.toType(DataType.INT64, false);
        return lab.mul(lab.neq(SegSample.IGNORE).toType(DataType.INT64, false));
    }

    private static NDArray meanOverValid(NDArray perPixel, NDArray logits, NDArray target) {
        NDArray count = OwnedArrays.maximum(PixelAccuracy.valid(target, logits.getDataType()).sum(new int[] {1, 2}), 1);
        return perPixel.sum(new int[] {1, 2}).div(count);
    }
}
