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

    /** True when the recipe needs the model built with dual BatchNorm (AdvProp). */
    default boolean dualBatchNorm() {
        return false;
    }

    /**
     * The inputs for {@link #loss}: by default the clean batch. Runs outside any gradient collector.
     *
     * @param seed this step's seed for whatever the preparation draws at random (e.g. an attack's
     *     start); the Trainer derives it from (run seed, step), never from the engine's global generator
     */
    default Inputs prepare(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        return new Inputs(images, labels, null);
    }

    /** The loss to minimise and its named scalar parts for progress display. */
    Loss loss(SegmentationModel model, Inputs inputs, TrainConfig config);

    /**
     * The tensors a step trains on.
     *
     * @param clean the clean images
     * @param labels the labels
     * @param adversarial adversarial images, or null for a clean-only recipe
     */
    record Inputs(NDArray clean, NDArray labels, NDArray adversarial) {}

    /**
     * A step's loss.
     *
     * @param total the scalar to back-propagate
     * @param parts named scalar components (e.g. "clean", "adv") for display and logs
     */
    record Loss(NDArray total, Map<String, NDArray> parts) {}
}
