package org.robustseg.data;

/**
 * A raw label image as stored on disk: one integer per pixel, row-major, before any mapping to
 * class ids (e.g. Cityscapes labelIds still have to be mapped to train ids).
 */
public record LabelMap(int height, int width, int[] values) {
    public LabelMap {
        if (values.length != height * width) {
            throw new IllegalArgumentException("label map has " + values.length + " values, expected " + height + "x" + width);
        }
    }
}
