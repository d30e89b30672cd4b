package org.robustseg.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;

/**
 * A batch of samples packed into flat Java arrays (padded to a common size); {@link #images} and
 * {@link #labels} turn it into tensors in a caller-chosen (short-lived) manager.
 *
 * @param ids sample ids in batch order
 * @param height common image height
 * @param width common image width
 * @param pixels N×3×H×W floats in [0,1]
 * @param labelData N×H×W class ids (255 = ignore)
 */
public record Batch(List<String> ids, int height, int width, float[] pixels, int[] labelData) {

    /**
     * Packs samples into one batch. Samples smaller than the largest one are padded at the
     * bottom and right (image with 0, labels with 255 = ignore), so data sets with images of
     * different sizes (Pascal VOC) can be evaluated in batches; padded pixels never count.
     */
    public static Batch of(List<SegSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int h = samples.stream().mapToInt(SegSample::height).max().orElseThrow();
        int w = samples.stream().mapToInt(SegSample::width).max().orElseThrow();
        float[] px = new float[samples.size() * 3 * h * w];
        int[] lb = new int[samples.size() * h * w];
        java.util.Arrays.fill(lb, SegSample.IGNORE);
        String[] ids = new String[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            SegSample s = samples.get(i);
            int sh = s.height();
            int sw = s.width();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < sh; y++) {
                    System.arraycopy(s.image(), (c * sh + y) * sw, px, ((i * 3 + c) * h + y) * w, sw);
                }
            }
            for (int y = 0; y < sh; y++) {
                System.arraycopy(s.labels(), y * sw, lb, (i * h + y) * w, sw);
            }
            ids[i] = s.id();
        }
        return new Batch(List.of(ids), h, w, px, lb);
    }

    public int size() {
        return ids.size();
    }

    /** Images N×3×H×W float32 in {@code manager}. */
    public NDArray images(NDManager manager) {
        return OwnedArrays.of(manager, pixels, new Shape(size(), 3, height, width));
    }

    /** Labels N×H×W int64 in {@code manager}. */
    public NDArray labels(NDManager manager) {
        return OwnedArrays.of(manager, labelData, new Shape(size(), height, width)).toType(DataType.INT64, false);
    }
}
