package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.PixelAccuracy;

/**
 * TRADES (Zhang et al. 2019), pixel-wise: clean CE + β·KL(p_clean ‖ p_adv), the KL summed over
 * classes and averaged over valid pixels, with gradients through both distributions as in the
 * authors' code. The inner max raises the same KL against the clean prediction (fixed while
 * crafting), from a uniform random start because the KL's gradient vanishes at the clean image.
 */
public final class TradesRecipe extends AdversarialRecipe {
    public TradesRecipe(RecipeConfig options) {
        super(options, RecipeConfig.TRADES);
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager) {
        NDArray reference = ATTACK_BN.logits(model, images);
        return new Inputs(images, labels, craft(model, images, labels, Objectives.klDivergenceFrom(reference), manager));
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
        return new Loss(ce.add(kl.mul(options().beta())), parts);
    }

    /** KL(p_clean ‖ p_adv) averaged over the batch's valid pixels. */
    static NDArray klMean(NDArray cleanLogits, NDArray advLogits, NDArray labels) {
        NDArray valid = PixelAccuracy.valid(labels, cleanLogits.getDataType());
        return Objectives.klPerPixel(cleanLogits, advLogits).mul(valid).sum().div(valid.sum().maximum(1));
    }
}
