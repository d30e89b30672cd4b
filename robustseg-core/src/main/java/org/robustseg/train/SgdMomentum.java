package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * SGD with momentum and (coupled) weight decay, using PyTorch's fused kernel through DJL:
 * v = m·v + lr·(g + wd·w); w = w − v.
 */
public final class SgdMomentum implements Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final OptimizerState state = new OptimizerState(1);

    public SgdMomentum(float momentum, float weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(List<Parameter> parameters, float learningRate) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            NDArray w = p.getArray();
            NDArray v = state.of(i, p)[0];
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().sgdUpdate(new NDList(w, g, v), new NDList(w), learningRate, weightDecay,
                        1f, -1f, momentum, true);
            }
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
}
