package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.robustseg.data.SegSample;

/**
 * A C×C confusion matrix accumulated over a whole data set (rows = true class, columns =
 * predicted class). mIoU is taken from it at the end, never by averaging per-image IoUs;
 * pixels labelled 255 are skipped.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final long[] counts;

    public ConfusionMatrix(int numClasses) {
        this.numClasses = numClasses;
        this.counts = new long[numClasses * numClasses];
    }

    /** A matrix holding {@code counts} (row-major, true class by predicted class), e.g. one read back from a file. */
    public static ConfusionMatrix of(int numClasses, long[] counts) {
        if (counts.length != numClasses * numClasses) {
            throw new IllegalArgumentException(counts.length + " counts do not make a " + numClasses + "x" + numClasses + " confusion matrix");
        }
        ConfusionMatrix cm = new ConfusionMatrix(numClasses);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("confusion count " + counts[i] + " is negative");
            }
            cm.counts[i] = counts[i];
        }
        return cm;
    }

    /** The counts, row-major (true class by predicted class); a copy. */
    public long[] counts() {
        return counts.clone();
    }

    public int numClasses() {
        return numClasses;
    }

    /**
     * Adds one image's (or a batch's) pixels; labels outside 0..C-1 other than 255 are an error,
     * and so is a prediction outside 0..C-1 at a counted pixel (it would otherwise be counted in
     * the next true class's row, or past the end of the table).
     */
    public void add(int[] predicted, int[] labels) {
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException("prediction has " + predicted.length + " pixels, labels " + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            int t = labels[i];
            if (t == SegSample.IGNORE) {
                continue;
            }
            if (t < 0 || t >= numClasses) {
                throw new IllegalArgumentException("label " + t + " outside 0.." + (numClasses - 1) + " and not 255");
            }
            int p = predicted[i];
            if (p < 0 || p >= numClasses) {
                throw new IllegalArgumentException("predicted class " + p + " at pixel " + i + " outside 0.." + (numClasses - 1));
            }
            counts[t * numClasses + p]++;
        }
    }

    /** Adds {@code count} pixels of true class {@code trueClass} predicted as {@code predictedClass}. */
    public void add(int trueClass, int predictedClass, long count) {
        if (trueClass < 0 || trueClass >= numClasses || predictedClass < 0 || predictedClass >= numClasses || count < 0) {
            throw new IllegalArgumentException("cell (" + trueClass + ", " + predictedClass + ") += " + count
                    + " outside a " + numClasses + "-class matrix");
        }
        counts[trueClass * numClasses + predictedClass] += count;
    }

    /** Adds a batch from logits N×C×H×W (argmax over C) and labels N×H×W. */
    public void add(NDArray logits, NDArray labels) {
        int[] pred = logits.argMax(1).toType(DataType.INT32, false).toIntArray();
        int[] lab = labels.toType(DataType.INT32, false).toIntArray();
        add(pred, lab);
    }

    /** Adds another matrix's counts; both must have the same number of classes. */
    public void merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge a confusion matrix of " + other.numClasses
                    + " classes into one of " + numClasses);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    public long count(int trueClass, int predictedClass) {
        return counts[trueClass * numClasses + predictedClass];
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    /** IoU per class; NaN for a class that appears neither in labels nor predictions. */
    public double[] perClassIou() {
        double[] iou = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long tp = count(c, c);
            long fn = 0;
            long fp = 0;
            for (int k = 0; k < numClasses; k++) {
                if (k != c) {
                    fn += count(c, k);
                    fp += count(k, c);
                }
            }
            long union = tp + fp + fn;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    /** Mean IoU over the classes with a defined IoU. */
    public double meanIou() {
        return Arrays.stream(perClassIou()).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    public double pixelAccuracy() {
        long correct = 0;
        for (int c = 0; c < numClasses; c++) {
            correct += count(c, c);
        }
        long total = total();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    public SegmentationMetrics metrics() {
        java.util.List<Double> perClass = new java.util.ArrayList<>();
        for (double v : perClassIou()) {
            perClass.add(Double.isNaN(v) ? null : v);
        }
        return new SegmentationMetrics(meanIou(), pixelAccuracy(), perClass, total());
    }
}
