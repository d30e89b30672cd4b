package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.PixelCrossEntropy;

/**
 * SAT, the study's recipe (as in DDC-AT's baseline): each batch trains on its clean first part
 * and the adversarial version of its last {@code adv share} part (default half), in one forward
 * pass; the inner max is BIM (L∞ 0.03, 3 steps of 0.01, no random start).
 *
 * <p>Only the images that are trained on adversarially are attacked: crafting examples for the
 * clean part only to discard them would double the cost for nothing.
 */
public final class SatRecipe extends AdversarialRecipe {
    public SatRecipe(RecipeConfig options) {
        super(options, Recipe.SAT);
    }

    /** How many of {@code n} images are adversarial. */
    int adversarialCount(int n) {
        return Math.round(options().advShare() * n);
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        int n = (int) images.getShape().get(0);
        int k = adversarialCount(n);
        if (k == 0) {
            return new Inputs(images, labels, null);
        }
        String tail = (n - k) + ":";
        return new Inputs(images, labels, craft(model, images.get(tail), labels.get(tail), manager, seed));
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config) {
        NDArray clean = inputs.clean();
        NDArray labels = inputs.labels();
        NDArray adv = inputs.adversarial();
        int n = (int) clean.getShape().get(0);
        int c = adv == null ? n : n - (int) adv.getShape().get(0);
        NDArray mixed = adv == null ? clean : c == 0 ? adv : clean.get("0:" + c).concat(adv, 0);
        NDList out = model.forward(mixed, true);
        NDArray total = StandardRecipe.supervisedLoss(out, labels, config.auxWeight());
        Map<String, NDArray> parts = new LinkedHashMap<>();
        if (c > 0) {
            parts.put("clean", PixelCrossEntropy.mean(out.get(0).get("0:" + c), labels.get("0:" + c)));
        }
        if (c < n) {
            parts.put("adv", PixelCrossEntropy.mean(out.get(0).get(c + ":"), labels.get(c + ":")));
        }
        return new Loss(total, parts);
    }
}
