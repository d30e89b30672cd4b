package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Objective;
import org.robustseg.optim.PixelCrossEntropy;
import org.robustseg.optim.Result;

/**
 * TRADES (Zhang et al. 2019), pixel-wise: clean CE + β·KL(p(clean) ‖ p(adversarial)), where the
 * adversarial image maximises that KL inside the ball (from a random start, since the KL's
 * gradient vanishes at the clean image).
 */
final class TradesRecipe extends AdversarialRecipe {
    TradesRecipe(RecipeConfig config) {
        super(config);
    }

    /** Per-pixel KL(p ‖ q) from logits, summed over classes: N×H×W. */
    static NDArray pixelKl(NDArray logitsP, NDArray logitsQ) {
        NDArray logP = logitsP.logSoftmax(1);
        NDArray logQ = logitsQ.logSoftmax(1);
        return logP.exp().mul(logP.sub(logQ)).sum(new int[] {1});
    }

    /** Mean of a per-pixel map over each image's valid (non-ignore) pixels: N values. */
    static NDArray perImageMean(NDArray perPixel, NDArray labels) {
        NDArray valid = labels.neq(255).toType(perPixel.getDataType(), false);
        return perPixel.mul(valid).sum(new int[] {1, 2}).div(valid.sum(new int[] {1, 2}).maximum(1));
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        NDArray cleanLogits = model.logits(images);
        Objective kl = Objective.of("kl-to-clean", c -> perImageMean(pixelKl(cleanLogits, c.logits()), c.target()));
        Result r = attack(kl, true, seed).run(model, images, labels);
        return new Inputs(images, labels, r.xBest(), mean(r.accuracyPerSample()));
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig train) {
        NDArray labels = inputs.labels();
        NDList clean = model.forward(inputs.clean(), true);
        NDArray advLogits = model.forward(inputs.adversarial(), true).get(0);
        NDArray ce = PixelCrossEntropy.mean(clean.get(0), labels);
        if (clean.size() > 1 && train.auxWeight() > 0) {
            ce = ce.add(PixelCrossEntropy.mean(clean.get(1), labels).mul(train.auxWeight()));
        }
        NDArray valid = labels.neq(255).toType(advLogits.getDataType(), false);
        NDArray kl = pixelKl(clean.get(0), advLogits).mul(valid).sum().div(valid.sum().maximum(1));
        NDArray loss = ce.add(kl.mul(config.beta()));
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("clean", ce);
        parts.put("kl", kl);
        parts.put("adv_acc", scalar(loss, inputs.attackAccuracy()));
        return new Loss(loss, parts);
    }
}
