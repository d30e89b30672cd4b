package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Map;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.PixelCrossEntropy;

/** Standard (clean) training: pixel CE on the main head + aux weight × pixel CE on the auxiliary head. */
public final class StandardRecipe implements TrainingRecipe {
    @Override
    public String name() {
        return "standard";
    }

    @Override
    public Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config) {
        NDArray loss = supervisedLoss(model, inputs.clean(), inputs.labels(), config.auxWeight());
        return new Loss(loss, Map.of("clean", loss));
    }

    /** Main-head CE plus {@code auxWeight} × auxiliary-head CE, on images in training mode. */
    public static NDArray supervisedLoss(SegmentationModel model, NDArray images, NDArray labels, float auxWeight) {
        return supervisedLoss(model.forward(images, true), labels, auxWeight);
    }

    /** The same loss from a training-mode forward's outputs (main logits, optional auxiliary logits). */
    public static NDArray supervisedLoss(NDList out, NDArray labels, float auxWeight) {
        NDArray loss = PixelCrossEntropy.mean(out.get(0), labels);
        if (out.size() > 1 && auxWeight > 0) {
            loss = loss.add(OwnedArrays.mul(PixelCrossEntropy.mean(out.get(1), labels), auxWeight));
        }
        return loss;
    }
}
