package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;

/**
 * Per-pixel agreement of the arg-max prediction with a label map, ignore label 255 excluded.
 * The attack's notion of "worst case" (lowest accuracy on valid pixels) is built on it.
 */
public final class PixelAccuracy {
    private PixelAccuracy() {}

    /** Valid pixels N×H×W as 1/0 in {@code type}. */
    public static NDArray valid(NDArray labels, DataType type) {
        return labels.toType(DataType.INT64, false).neq(SegSample.IGNORE).toType(type, false);
    }

    /** Pixels that are valid and predicted as labelled, N×H×W as 1/0 in the logits' type (no gradient). */
    public static NDArray correct(NDArray logits, NDArray labels) {
        NDArray lab = labels.toType(DataType.INT64, false);
        NDArray hit = logits.stopGradient().argMax(1).eq(lab).logicalAnd(lab.neq(SegSample.IGNORE));
        return hit.toType(logits.getDataType(), false);
    }

    /** Fraction of each image's valid pixels predicted correctly: N values (0 for an all-ignore image). */
    public static NDArray perSample(NDArray logits, NDArray labels) {
        NDArray hits = correct(logits, labels).sum(new int[] {1, 2});
        NDArray count = OwnedArrays.maximum(valid(labels, logits.getDataType()).sum(new int[] {1, 2}), 1);
        return hits.div(count);
    }
}
