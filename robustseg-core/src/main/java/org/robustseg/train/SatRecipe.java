package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.PixelCrossEntropy;

/**
 * SAT, the study's recipe: the last {@code adv_share} of each batch is replaced by BIM
 * examples (no random start; eps 0.03, 3 steps of 0.01 by default), the first part stays
 * clean, and one forward pass trains on the mixed batch.
 */
final class SatRecipe extends AdversarialRecipe {
    SatRecipe(RecipeConfig config) {
        super(config);
    }

    private int cleanCount(long n) {
        return (int) Math.max(0, Math.min(n - 1, Math.round(n * (1 - config.advShare()))));
    }

    @Override
    public Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        long n = images.getShape().get(0);
        int c = cleanCount(n);
        NDArray advPart = images.get(new NDIndex(c + ":"));
        Inputs crafted = craft(model, advPart, labels.get(new NDIndex(c + ":")), false, seed);
        NDArray mixed = c == 0 ? crafted.adversarial() : images.get(new NDIndex(":" + c)).concat(crafted.adversarial(), 0);
        return new Inputs(images, labels, mixed, crafted.attackAccuracy());
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig train) {
        NDList out = model.forward(inputs.adversarial(), true);
        NDArray labels = inputs.labels();
        NDArray loss = PixelCrossEntropy.mean(out.get(0), labels);
        if (out.size() > 1 && train.auxWeight() > 0) {
            loss = loss.add(PixelCrossEntropy.mean(out.get(1), labels).mul(train.auxWeight()));
        }
        // per-part losses for display, from the same forward pass
        int c = cleanCount(labels.getShape().get(0));
        NDArray perImage = PixelCrossEntropy.perSample(out.get(0), labels);
        Map<String, NDArray> parts = new LinkedHashMap<>();
        if (c > 0) {
            parts.put("clean", perImage.get(new NDIndex(":" + c)).mean());
        }
        parts.put("adv", perImage.get(new NDIndex(c + ":")).mean());
        parts.put("adv_acc", scalar(loss, inputs.attackAccuracy()));
        return new Loss(loss, parts);
    }
}
