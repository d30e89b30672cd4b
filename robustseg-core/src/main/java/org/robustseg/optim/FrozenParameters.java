package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.robustseg.model.SegmentationModel;

/**
 * While open, no parameter of the model requires a gradient, so a backward pass computes the
 * input gradient only. On close it unfreezes exactly the parameters it froze (predicate form of
 * {@link Block#freezeParameters(boolean, java.util.function.Predicate)}): BatchNorm running
 * statistics and anything the caller had frozen stay frozen. Nested use is harmless.
 * In {@link ForwardMode#TRAINING} it also snapshots BatchNorm running statistics, because a
 * training-mode forward updates them in place, and restores them on close.
 */
final class FrozenParameters implements AutoCloseable {
    private final Block block;
    private final Set<Parameter> frozen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<NDArray[]> runningStats = new ArrayList<>();

    FrozenParameters(SegmentationModel model, ForwardMode mode) {
        this.block = model.block();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                frozen.add(p);
            }
            if (mode == ForwardMode.TRAINING && p.isInitialized()
                    && (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)) {
                runningStats.add(new NDArray[] {p.getArray(), p.getArray().duplicate()});
            }
        }
        block.freezeParameters(true, frozen::contains);
    }

    @Override
    public void close() {
        block.freezeParameters(false, frozen::contains);
        for (NDArray[] live : runningStats) {
            live[1].copyTo(live[0]);
            live[1].close();
        }
    }
}
