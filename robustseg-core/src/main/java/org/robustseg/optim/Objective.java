package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;

/**
 * A differentiable per-sample loss: one value per image, computed from the network's logits and a
 * target label map (true labels for an untargeted attack, the requested map for a targeted one or
 * for synthesis). Pixels labelled 255 never contribute. The {@link Direction} of the loop, not the
 * objective, decides whether it is raised or lowered.
 */
public interface Objective {

    /** A short name used in traces and error messages, e.g. "ce" or "masked-ce". */
    String name();

    /** N losses for a batch of N images. */
    NDArray perSample(Context c);

    /**
     * What an objective may look at.
     *
     * @param x the current input N×3×H×W
     * @param x0 the original input (for fidelity terms)
     * @param logits the network's logits N×C×H×W at {@code x}
     * @param target the target label map N×H×W (255 = ignore)
     * @param step the current gradient step, 0-based (schedules such as SegPGD's use it)
     * @param steps the total number of gradient steps of the run
     */
    record Context(NDArray x, NDArray x0, NDArray logits, NDArray target, int step, int steps) {
        /** A context for a single evaluation outside a schedule (step 0 of 1). */
        public static Context of(NDArray x, NDArray x0, NDArray logits, NDArray target) {
            return new Context(x, x0, logits, target, 0, 1);
        }
    }

    /** An objective that depends only on logits and target. */
    static Objective of(String name, java.util.function.BiFunction<NDArray, NDArray, NDArray> loss) {
        return of(name, c -> loss.apply(c.logits(), c.target()));
    }

    /** An objective from any function of the context. */
    static Objective of(String name, Function<Context, NDArray> loss) {
        return new Objective() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public NDArray perSample(Context c) {
                return loss.apply(c);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
