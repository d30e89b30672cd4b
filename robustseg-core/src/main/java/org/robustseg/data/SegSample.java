package org.robustseg.data;

/**
 * One image with its label map, in robustseg's conventions.
 *
 * @param id a stable identifier (the file stem in VOC layout)
 * @param height image height in pixels
 * @param width image width in pixels
 * @param image float RGB in [0,1], channel-major (CHW), length 3*height*width
 * @param labels class ids 0..C-1 per pixel, 255 = ignore, row-major (HW), length height*width
 */
public record SegSample(String id, int height, int width, float[] image, int[] labels) {
    /** The label value that marks a pixel to be ignored by losses and metrics. */
    public static final int IGNORE = 255;

    public SegSample {
        if (image.length != 3 * height * width) {
            throw new IllegalArgumentException(id + ": image has " + image.length + " values, expected 3x" + height + "x" + width);
        }
        if (labels.length != height * width) {
            throw new IllegalArgumentException(id + ": label map has " + labels.length + " values, expected " + height + "x" + width);
        }
    }
}
