package org.robustseg.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.ProgressListener;
import org.robustseg.attack.Attack;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.Norm;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.metric.Evaluator;
import org.robustseg.model.SegmentationModel;

/**
 * A quick per-epoch robustness estimate: pixel accuracy of the model as deployed (eval
 * statistics), clean and under a cheap attack, on a fixed subset (the first {@code images}
 * validation samples). A trend indicator for the progress line, not an evaluation: use
 * {@code ./run eval} with a strong attack for that.
 *
 * @param attack the cheap attack, e.g. FGSM at the training eps
 * @param images how many validation images to use
 */
public record RobustnessProbe(Attack attack, int images) {
    /** Keys of the figures in {@link EpochSummary#valExtra()}. */
    public static final String CLEAN_ACC = "probe_clean_acc";
    public static final String ROBUST_ACC = "probe_robust_acc";

    public RobustnessProbe {
        if (images < 1) {
            throw new IllegalArgumentException("the robustness probe needs at least 1 image, got " + images);
        }
    }

    /** FGSM at the recipe's norm and eps on 64 images; null (no probe) for standard training. */
    static RobustnessProbe defaultFor(RecipeConfig recipe) {
        if (!recipe.adversarial()) {
            return null;
        }
        Norm norm = recipe.norm();
        return new RobustnessProbe(Attacks.fgsm(norm).eps(recipe.eps()).stepSize(recipe.eps()), 64);
    }

    /** Clean and attacked pixel accuracy on the subset. */
    public Map<String, Double> measure(SegmentationModel model, SegDataset val, int batchSize) {
        SegDataset subset = firstOf(val, Math.min(images, val.size()));
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put(CLEAN_ACC, Evaluator.evaluate(model, subset, batchSize, ProgressListener.NONE).pixelAccuracy());
        figures.put(ROBUST_ACC, Evaluator.evaluate(model, subset, batchSize,
                (m, x, y, manager) -> attack.perturb(m, x, y).adversarial(), ProgressListener.NONE).pixelAccuracy());
        return figures;
    }

    private static SegDataset firstOf(SegDataset data, int n) {
        return new SegDataset() {
            @Override
            public String name() {
                return data.name() + "[0:" + n + "]";
            }

            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                return data.get(index);
            }

            @Override
            public ClassSet classes() {
                return data.classes();
            }

            @Override
            public String contentHash() {
                return data.contentHash() + "[0:" + n + "]";
            }
        };
    }
}
