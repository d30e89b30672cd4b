package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.DualBatchNorm;
import org.robustseg.model.SegmentationModel;

/**
 * AdvProp (Xie et al. 2020): adversarial examples as a second input distribution with its own
 * BatchNorm statistics. The model is built with {@link DualBatchNorm}s; adversarial examples are
 * crafted and trained on through the auxiliary BNs, clean images through the main ones, and the
 * loss is the sum of both. Inference (and {@code Checkpoint.load}) uses the main BNs only.
 */
public final class AdvPropRecipe extends AdversarialRecipe {
    public AdvPropRecipe(RecipeConfig options) {
        super(options, Recipe.ADVPROP);
    }

    @Override
    public boolean dualBatchNorm() {
        return true;
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        NDArray adv = DualBatchNorm.throughAuxiliary(model, () -> craft(model, images, labels, manager, seed));
        return new Inputs(images, labels, adv);
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config) {
        NDArray clean = StandardRecipe.supervisedLoss(model, inputs.clean(), inputs.labels(), config.auxWeight());
        NDArray adv = DualBatchNorm.throughAuxiliary(model,
                () -> StandardRecipe.supervisedLoss(model, inputs.adversarial(), inputs.labels(), config.auxWeight()));
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("clean", clean);
        parts.put("adv", adv);
        return new Loss(clean.add(adv), parts);
    }
}
