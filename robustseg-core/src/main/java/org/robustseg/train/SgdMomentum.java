package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.robustseg.engine.OwnedArrays;

/**
 * SGD with momentum and (coupled) weight decay in PyTorch's convention ({@code torch.optim.SGD},
 * dampening 0, no Nesterov): g = grad + wd·w; v = m·v + g; w = w − lr·v.
 *
 * <p>Not MXNet's v = m·v + lr·g; w = w − v, which DJL's fused {@code sgdUpdate} computes and
 * which this class used before: the two agree only while lr is constant. Under the poly schedule
 * MXNet's velocity keeps steps taken at an earlier, larger lr at their old size, PyTorch's
 * rescales the whole velocity by the current lr — and the papers' recipes are PyTorch's.
 * Checkpoints record {@link #stateFormat()} so that a velocity of the old convention is never
 * read as one of the new (see {@link #loadState(NDList, String, float)}).
 */
public final class SgdMomentum implements Optimizer {
    /** The velocity v of v = m·v + g (PyTorch's momentum buffer). */
    public static final String FORMAT = "sgd-momentum-pytorch/2";

    private final float momentum;
    private final float weightDecay;
    private final OptimizerState state = new OptimizerState(1);

    public SgdMomentum(float momentum, float weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(List<Parameter> parameters, float learningRate) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // in-place updates of leaves that require a gradient
        try {
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                NDArray w = p.getArray();
                NDArray v = state.of(i, p)[0];
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray g = w.getGradient();
                    NDArray d = weightDecay == 0f ? g : g.add(OwnedArrays.mul(w, weightDecay));
                    OwnedArrays.muli(v, momentum).addi(d);
                    w.subi(OwnedArrays.mul(v, learningRate));
                    Optimizer.zeroGradient(p);
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    @Override
    public NDList state() {
        return state.toList();
    }

    @Override
    public void loadState(NDList saved) {
        state.load(saved);
    }

    @Override
    public String stateFormat() {
        return FORMAT;
    }

    /**
     * Also reads a checkpoint written before formats were recorded, whose velocity is MXNet's
     * u = m·u + lr·g: it becomes v = u / lr of the last step taken, exact when lr was constant
     * and the nearest reading otherwise (u mixes the gradients of several learning rates).
     */
    @Override
    public void loadState(NDList saved, String format, float lastLearningRate) {
        if (Optimizer.UNRECORDED_FORMAT.equals(format)) {
            if (!(lastLearningRate > 0)) {
                throw new IllegalArgumentException("cannot convert an SGD velocity of the old convention at lr " + lastLearningRate);
            }
            NDList converted = new NDList();
            for (NDArray u : saved) {
                converted.add(OwnedArrays.div(u, lastLearningRate));
            }
            saved.close();
            loadState(converted);
            return;
        }
        Optimizer.super.loadState(saved, format, lastLearningRate);
    }
}
