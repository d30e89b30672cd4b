package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-parameter state slots (one or more tensors per trainable parameter, created lazily as
 * zeros in the parameter's own manager) shared by the optimisers.
 */
final class OptimizerState {
    private final int slots;
    private final List<NDArray[]> perParameter = new ArrayList<>();
    private NDList restored;

    OptimizerState(int slots) {
        this.slots = slots;
    }

    /** The state slots of the {@code index}-th trainable parameter. */
    NDArray[] of(int index, Parameter p) {
        while (perParameter.size() <= index) {
            perParameter.add(null);
        }
        NDArray[] s = perParameter.get(index);
        if (s == null) {
            s = new NDArray[slots];
            NDArray w = p.getArray();
            for (int k = 0; k < slots; k++) {
                s[k] = restored != null ? restored.get(index * slots + k).duplicate() : w.zerosLike();
                s[k].attach(w.getManager());
            }
            perParameter.set(index, s);
        }
        return s;
    }

    NDList toList() {
        NDList list = new NDList();
        for (NDArray[] s : perParameter) {
            for (NDArray a : s) {
                list.add(a);
            }
        }
        return list;
    }

    void load(NDList state) {
        perParameter.clear();
        restored = state;
    }
}
