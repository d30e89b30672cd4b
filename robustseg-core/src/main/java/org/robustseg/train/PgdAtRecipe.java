package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.SegmentationModel;

/**
 * PGD adversarial training (Madry et al.): every step trains on PGD examples of the batch.
 * With one iteration of step 1.25·eps from a random start this is "fast AT" (FGSM-RS, Wong et
 * al., "Fast is better than free") — the same recipe with other settings.
 */
final class PgdAtRecipe extends AdversarialRecipe {
    PgdAtRecipe(RecipeConfig config) {
        super(config);
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        return craft(model, images, labels, true, seed);
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig train) {
        NDArray loss = StandardRecipe.supervisedLoss(model, inputs.adversarial(), inputs.labels(), train.auxWeight());
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("adv", loss);
        parts.put("adv_acc", scalar(loss, inputs.attackAccuracy()));
        return new Loss(loss, parts);
    }
}
