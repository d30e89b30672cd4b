package org.robustseg.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.robustseg.data.SegSample;

/**
 * A batch of equally sized samples packed into flat Java arrays; {@link #images} and
 * {@link #labels} turn it into tensors in a caller-chosen (short-lived) manager.
 *
 * @param ids sample ids in batch order
 * @param height common image height
 * @param width common image width
 * @param pixels N×3×H×W floats in [0,1]
 * @param labelData N×H×W class ids (255 = ignore)
 */
public record Batch(List<String> ids, int height, int width, float[] pixels, int[] labelData) {

    /** Packs samples of identical size; the error names the first sample whose size differs. */
    public static Batch of(List<SegSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int h = samples.get(0).height();
        int w = samples.get(0).width();
        float[] px = new float[samples.size() * 3 * h * w];
        int[] lb = new int[samples.size() * h * w];
        String[] ids = new String[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            SegSample s = samples.get(i);
            if (s.height() != h || s.width() != w) {
                throw new IllegalArgumentException("sample " + s.id() + " is " + s.height() + "x" + s.width()
                        + " but the batch is " + h + "x" + w + " (use a crop transform or batch size 1)");
            }
            System.arraycopy(s.image(), 0, px, i * 3 * h * w, 3 * h * w);
            System.arraycopy(s.labels(), 0, lb, i * h * w, h * w);
            ids[i] = s.id();
        }
        return new Batch(List.of(ids), h, w, px, lb);
    }

    public int size() {
        return ids.size();
    }

    /** Images N×3×H×W float32 in {@code manager}. */
    public NDArray images(NDManager manager) {
        return manager.create(pixels, new Shape(size(), 3, height, width));
    }

    /** Labels N×H×W int64 in {@code manager}. */
    public NDArray labels(NDManager manager) {
        return manager.create(labelData, new Shape(size(), height, width)).toType(DataType.INT64, false);
    }
}
