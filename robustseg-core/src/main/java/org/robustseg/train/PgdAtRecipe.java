package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.robustseg.model.SegmentationModel;

/**
 * PGD adversarial training (Madry et al. 2018): every step trains only on PGD examples of the
 * batch — the min-max of robust optimisation with the inner max approximated by PGD.
 */
public class PgdAtRecipe extends AdversarialRecipe {
    public PgdAtRecipe(RecipeConfig options) {
        this(options, Recipe.PGD_AT);
    }

    PgdAtRecipe(RecipeConfig options, Recipe expected) {
        super(options, expected);
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        return new Inputs(images, labels, craft(model, images, labels, manager, seed));
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config) {
        NDArray adv = StandardRecipe.supervisedLoss(model, inputs.adversarial(), inputs.labels(), config.auxWeight());
        return new Loss(adv, Map.of("adv", adv));
    }
}
