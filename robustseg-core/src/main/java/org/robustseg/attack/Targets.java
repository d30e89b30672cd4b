package org.robustseg.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.robustseg.data.SegSample;

/** Target label maps for targeted attacks, built from the true labels; ignore pixels (255) stay 255. */
public final class Targets {
    private Targets() {}

    /** Every valid pixel becomes class {@code k}. */
    public static NDArray everyPixel(NDArray labels, int k, int numClasses) {
        checkClass("target class", k, numClasses);
        NDArray lab = labels.toType(DataType.INT32, false);
        return NDArrays.where(lab.eq(SegSample.IGNORE), lab, lab.zerosLike().add(k));
    }

    /** Pixels of class {@code from} become class {@code to}; all others keep their label. */
    public static NDArray relabel(NDArray labels, int from, int to, int numClasses) {
        checkClass("source class", from, numClasses);
        checkClass("target class", to, numClasses);
        NDArray lab = labels.toType(DataType.INT32, false);
        return NDArrays.where(lab.eq(from), lab.zerosLike().add(to), lab);
    }

    private static void checkClass(String what, int k, int numClasses) {
        if (k < 0 || k >= numClasses) {
            throw new IllegalArgumentException(what + " " + k + " is not a class id (0.." + (numClasses - 1) + ")");
        }
    }
}
