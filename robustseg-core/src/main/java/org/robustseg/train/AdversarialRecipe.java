package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Direction;
import org.robustseg.optim.ForwardMode;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.Result;

/**
 * Shared part of the adversarial recipes: the inner maximisation, which is the optim
 * package's one loop configured from the {@link RecipeConfig}.
 *
 * <p>Training attacks are crafted with BatchNorm in eval statistics and dropout off (the model
 * as deployed, as for every attack in robustseg, and as TRADES' reference code does): the
 * gradient of each image then does not depend on the rest of the batch, and crafting never
 * touches the running statistics. The last iterate is used, as in Madry et al.
 */
abstract class AdversarialRecipe implements TrainingRecipe {
    protected final RecipeConfig config;

    AdversarialRecipe(RecipeConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return config.name();
    }

    /** The training attack maximising {@code objective}, from a random start in the ball when asked. */
    protected InputOptimizer attack(Objective objective, boolean randomStart, long seed) {
        return InputOptimizer.of(config.threat().step(config.eps(), config.stepSize()), objective)
                .direction(Direction.MAXIMISE)
                .iterations(config.attackSteps())
                .randomStart(randomStart)
                .keepBest(false)
                .forwardMode(ForwardMode.EVAL)
                .seed(seed);
    }

    /** Runs the CE attack on {@code images}; returns the adversarial images and their accuracy. */
    protected TrainingRecipe.Inputs craft(SegmentationModel model, NDArray images, NDArray labels, boolean randomStart,
                                          long seed) {
        Result r = attack(Objectives.crossEntropy(), randomStart, seed).run(model, images, labels);
        return new Inputs(images, labels, r.xBest(), mean(r.accuracyPerSample()));
    }

    static float mean(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return values.length == 0 ? Float.NaN : (float) (s / values.length);
    }

    /** A scalar for the progress display, in the manager of {@code like}. */
    static NDArray scalar(NDArray like, float value) {
        NDManager m = like.getManager();
        return m.create(value);
    }
}
