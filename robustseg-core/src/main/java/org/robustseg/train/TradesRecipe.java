package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ForwardMode;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.PixelAccuracy;

/**
 * TRADES (Zhang et al. 2019), pixel-wise: clean CE + β·KL(p_clean ‖ p_adv), the KL summed over
 * classes and averaged over valid pixels, with gradients through both distributions as in the
 * authors' code. The inner max raises the same KL against the clean prediction (fixed while
 * crafting), crafted as the authors' code (yaodongyu/TRADES) does it: BatchNorm in eval mode for
 * both the clean reference and the attacked forwards, and a start at x + 0.001·N(0,1)
 * ({@link #START_SIGMA}, {@link org.robustseg.optim.Step#withGaussianStart}) rather than a uniform draw from the ball (the KL's gradient vanishes at
 * x itself). Eval mode also keeps crafting from touching the running statistics. Runs recorded
 * with attack_bn "training" keep the variant they were trained with: training-mode BatchNorm
 * and PGD's uniform start (when random_start), so that they resume exactly.
 */
public final class TradesRecipe extends AdversarialRecipe {
    /** The standard deviation of the inner maximisation's Gaussian start, as in the authors' code. */
    static final float START_SIGMA = 0.001f;

    public TradesRecipe(RecipeConfig options) {
        super(options, Recipe.TRADES);
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        NDArray reference = craftMode().logits(model, images);
        return new Inputs(images, labels, craft(model, images, labels, Objectives.klDivergenceFrom(reference), manager, seed));
    }

    /** The BatchNorm mode of crafting: the recorded attack_bn ("eval" for new runs). */
    ForwardMode craftMode() {
        return options().attackBn() == ForwardMode.EVAL ? ForwardMode.EVAL : ATTACK_BN;
    }

    @Override
    InputOptimizer configure(InputOptimizer inner) {
        if (craftMode() != ForwardMode.EVAL) {
            return inner; // the earlier variant, for runs recorded with it
        }
        return inner.forwardMode(ForwardMode.EVAL)
                .step(inner.step().withGaussianStart(START_SIGMA))
                .randomStart(true);
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config) {
        NDList clean = model.forward(inputs.clean(), true);
        NDArray ce = StandardRecipe.supervisedLoss(clean, inputs.labels(), config.auxWeight());
        NDArray advLogits = model.forward(inputs.adversarial(), true).get(0);
        NDArray kl = klMean(clean.get(0), advLogits, inputs.labels());
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("clean", ce);
        parts.put("kl", kl);
        return new Loss(ce.add(OwnedArrays.mul(kl, options().beta())), parts);
    }

    /** KL(p_clean ‖ p_adv) averaged over the batch's valid pixels. */
    static NDArray klMean(NDArray cleanLogits, NDArray advLogits, NDArray labels) {
        NDArray valid = PixelAccuracy.valid(labels, cleanLogits.getDataType());
        return Objectives.klPerPixel(cleanLogits, advLogits).mul(valid).sum().div(OwnedArrays.maximum(valid.sum(), 1));
    }
}
