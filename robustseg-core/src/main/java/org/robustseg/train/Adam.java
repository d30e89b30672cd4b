package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.robustseg.engine.OwnedArrays;

/** Adam (Kingma &amp; Ba) with bias correction and coupled weight decay, via PyTorch's fused kernel. */
public final class Adam implements Optimizer {
    /** First and second moments, then the step count. */
    public static final String FORMAT = "adam/1";

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final OptimizerState state = new OptimizerState(2);
    private long steps;

    public Adam(float beta1, float beta2, float epsilon, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(List<Parameter> parameters, float learningRate) {
        steps++;
        float correction = (float) (learningRate * Math.sqrt(1 - Math.pow(beta2, steps)) / (1 - Math.pow(beta1, steps)));
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            NDArray w = p.getArray();
            NDArray[] s = state.of(i, p);
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().adamUpdate(new NDList(w, g, s[0], s[1]), new NDList(w), learningRate, correction,
                        weightDecay, 1f, -1f, beta1, beta2, epsilon, false, false);
            }
            Optimizer.zeroGradient(p);
        }
    }

    @Override
    public NDList state() {
        NDList list = state.toList();
        if (!list.isEmpty()) {
            NDManager m = list.get(0).getManager();
            list.add(OwnedArrays.of(m, new long[] {steps}));
        }
        return list;
    }

    @Override
    public String stateFormat() {
        return FORMAT;
    }

    /** Adam's state has kept one meaning since before formats were recorded. */
    @Override
    public void loadState(NDList saved, String format, float lastLearningRate) {
        Optimizer.super.loadState(saved, Optimizer.UNRECORDED_FORMAT.equals(format) ? FORMAT : format, lastLearningRate);
    }

    @Override
    public void loadState(NDList saved) {
        if (saved.isEmpty()) {
            return;
        }
        steps = saved.get(saved.size() - 1).toLongArray()[0];
        state.load(new NDList(saved.subList(0, saved.size() - 1)));
    }
}
