package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs a computation in an {@link NDScope} and closes every intermediate array it created,
 * whatever manager the engine put it in (an op like {@code x0.add(eps)} lands in x0's manager,
 * which would otherwise grow for as long as the caller's manager lives).
 */
final class Scoped {
    private Scoped() {}

    static NDArray compute(Supplier<NDArray> body) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray result = body.get();
            NDScope.unregister(result);
            return result;
        }
    }

    static NDList computeAll(Supplier<NDList> body) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList result = body.get();
            NDScope.unregister(result);
            return result;
        }
    }
}
