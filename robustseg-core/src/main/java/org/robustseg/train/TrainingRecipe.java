package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.robustseg.model.SegmentationModel;

/**
 * What a training step optimises. The {@link Trainer} owns the loop, the gradient collector and
 * the optimiser; a recipe only says which inputs to train on ({@link #prepare}, run before the
 * collector opens — adversarial recipes craft their examples there with the optim package's
 * loop) and which loss to minimise on them ({@link #loss}, run in training mode inside it).
 */
public interface TrainingRecipe {
    /** The recipe's name as given to {@code --recipe}. */
    String name();

    /**
     * The inputs for {@link #loss}: by default the clean batch. Runs outside any gradient
     * collector; {@code seed} is derived from the run's seed and the global step, so that
     * random starts differ between steps yet a resumed run repeats them exactly.
     */
    default Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        return new Inputs(images, labels, null, Float.NaN);
    }

    /** The loss to minimise and its named scalar parts for progress display. */
    Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config);

    /**
     * The tensors a step trains on.
     *
     * @param clean the clean images
     * @param labels the labels
     * @param adversarial adversarial images, or null for a clean-only recipe
     * @param attackAccuracy mean pixel accuracy of the model on the adversarial images as the
     *     attack left them (NaN when there are none): a free robust-accuracy estimate
     */
    record Inputs(NDArray clean, NDArray labels, NDArray adversarial, float attackAccuracy) {}

    /**
     * A step's loss.
     *
     * @param total the scalar to back-propagate
     * @param parts named scalar components (e.g. "clean", "adv") for display and logs
     */
    record Loss(NDArray total, Map<String, NDArray> parts) {}
}
