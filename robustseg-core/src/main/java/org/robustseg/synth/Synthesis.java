package org.robustseg.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.robustseg.attack.Norm;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Direction;
import org.robustseg.optim.GradientTransform;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.optim.IterationListener;
import org.robustseg.optim.L2Step;
import org.robustseg.optim.LinfStep;
import org.robustseg.optim.Mask;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.Result;
import org.robustseg.optim.Selection;
import org.robustseg.optim.Step;
import org.robustseg.optim.UnconstrainedStep;

/**
 * The synthesis presets, each a configuration of {@link InputOptimizer} that minimises the pixel
 * cross-entropy to a target label map:
 *
 * <pre>{@code
 * Inpainting inpaint = Synthesis.inpainting().norm(Norm.L2).stepSize(0.25f).steps(60);
 * SynthesisResult hole = inpaint.run(robust, images, holes, targetLabels);
 * Generation gen = Synthesis.generation(ColourStatistics.fit(train, ProgressListener.NONE));
 * SynthesisResult images = gen.run(robust, layouts);
 * SynthesisResult edited = Synthesis.editing().run(robust, image, labels, 7, 9);   // shirt -> bag
 * }</pre>
 */
public final class Synthesis {
    private Synthesis() {}

    /** Inpainting with the tuned defaults (see {@link Inpainting}). */
    public static Inpainting inpainting() {
        return new Inpainting();
    }

    /** Generation from seed images drawn from {@code statistics} (see {@link Generation}). */
    public static Generation generation(ColourStatistics statistics) {
        return new Generation(statistics);
    }

    /** Semantic editing of one object (see {@link Editing}). */
    public static Editing editing() {
        return new Editing();
    }

    /** The random stream of image {@code index} under {@code seed}: results do not depend on batching. */
    static SplittableRandom imageRng(long seed, long index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 1);
    }

    /** The step for a norm (null = unconstrained, only the [0,1] box). */
    static Step step(Norm norm, float eps, float stepSize, Mask mask) {
        if (norm == null) {
            return new UnconstrainedStep(stepSize, mask);
        }
        return norm == Norm.L2 ? new L2Step(eps, stepSize, mask) : new LinfStep(eps, stepSize, mask);
    }

    /** CE to the target, plus {@code tv}·total variation when tv > 0. */
    static Objective objective(float tv) {
        return tv > 0 ? Objectives.sum(Objectives.crossEntropy(), Objectives.weighted(tv, Objectives.totalVariation()))
                : Objectives.crossEntropy();
    }

    /**
     * The shared core of every preset: minimise {@code objective} from {@code start} towards
     * {@code lossTarget}, changing only {@code mask} (may be null), and score the result against
     * {@code target} with the model; {@code listener} watches every iterate (live progress, stop).
     */
    static SynthesisResult optimise(SegmentationModel model, NDManager manager, float[] start, int n, int h, int w,
                                    int[] lossTarget, int[] target, boolean[] region, Step step, Objective objective,
                                    int steps, float smoothing, long seed, IterationListener listener) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = OwnedArrays.of(m, start, new Shape(n, 3, h, w));
            NDArray y = OwnedArrays.of(m, lossTarget, new Shape(n, h, w)).toType(DataType.INT64, false);
            InputOptimizer opt = InputOptimizer.of(step, objective).direction(Direction.MINIMISE).steps(steps)
                    .selection(Selection.LOSS).seed(seed).listener(listener)
                    .gradientTransform(smoothing > 0 ? GradientTransform.gaussianBlur(smoothing) : GradientTransform.identity());
            Result r = opt.run(model, x0, y);
            float[] images = r.xBest().toFloatArray();
            int[] predictions = model.logits(r.xBest()).argMax(1).toType(DataType.INT32, false).toIntArray();
            float[] before = r.trace().lossPerSample().get(0).clone();
            return new SynthesisResult(n, h, w, start, images, target, region, predictions, before, r.lossPerSample(), r.trace());
        }
    }

    /** Checks a label map against the model: values 0..C-1 or 255; {@code what} names it in errors. */
    static void checkLabels(int[] labels, int numClasses, String what) {
        for (int v : labels) {
            if (v != SegSample.IGNORE && (v < 0 || v >= numClasses)) {
                throw new IllegalArgumentException(what + " has class id " + v + " but the model predicts " + numClasses
                        + " classes (0.." + (numClasses - 1) + ", 255 = ignore)");
            }
        }
    }
}
