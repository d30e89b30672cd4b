package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;

/**
 * Pixel-wise softmax cross-entropy with the ignore label 255 (DJL's
 * SoftmaxCrossEntropyLoss has no ignore index). Shared by training and by the attack and
 * synthesis objectives, so every caller computes the same loss.
 */
public final class PixelCrossEntropy {
    private PixelCrossEntropy() {}

    /** Per-pixel loss N×H×W (0 at ignored pixels) and the valid-pixel mask N×H×W (1/0, logits' type). */
    public static NDArray[] perPixel(NDArray logits, NDArray labels) {
        NDArray lab = labels.toType(DataType.INT64, false);
        NDArray valid = lab.neq(SegSample.IGNORE);
        NDArray safe = lab.mul(valid.toType(DataType.INT64, false));
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray validF = valid.toType(logits.getDataType(), false);
        return new NDArray[] {picked.neg().mul(validF), validF};
    }

    /** Mean loss over each image's valid pixels: a vector of N values (0 for an all-ignore image). */
    public static NDArray perSample(NDArray logits, NDArray labels) {
        NDArray[] lv = perPixel(logits, labels);
        NDArray sum = lv[0].sum(new int[] {1, 2});
        NDArray count = OwnedArrays.maximum(lv[1].sum(new int[] {1, 2}), 1);
        return sum.div(count);
    }

    /** Mean loss over all valid pixels of the batch (PyTorch's ignore_index + 'mean' reduction). */
    public static NDArray mean(NDArray logits, NDArray labels) {
        NDArray[] lv = perPixel(logits, labels);
        return lv[0].sum().div(OwnedArrays.maximum(lv[1].sum(), 1));
    }
}
