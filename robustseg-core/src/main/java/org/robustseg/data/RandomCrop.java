package org.robustseg.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Crops a fixed-size window at a random position. A sample smaller than the window is first
 * padded at the bottom and right: the image with a fixed colour, the labels with 255 so that
 * padding never counts as any class.
 */
public final class RandomCrop implements JointTransform {
    private final int height;
    private final int width;
    private final float[] padRgb;

    public RandomCrop(int height, int width, float[] padRgb) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop size " + height + "x" + width + " must be positive");
        }
        if (padRgb.length != 3) {
            throw new IllegalArgumentException("pad colour needs 3 values, got " + padRgb.length);
        }
        this.height = height;
        this.width = width;
        this.padRgb = padRgb.clone();
    }

    @Override
    public SegSample apply(SegSample s, Random rng) {
        int srcH = s.height(), srcW = s.width();
        // Offsets are drawn even when a dimension needs no cropping, so the stream consumption is fixed.
        int top = rng.nextInt(Math.max(srcH - height, 0) + 1);
        int left = rng.nextInt(Math.max(srcW - width, 0) + 1);
        float[] image = new float[3 * height * width];
        int[] labels = new int[height * width];
        for (int c = 0; c < 3; c++) {
            Arrays.fill(image, c * height * width, (c + 1) * height * width, padRgb[c]);
        }
        Arrays.fill(labels, SegSample.IGNORE);
        int copyH = Math.min(height, srcH - top);
        int copyW = Math.min(width, srcW - left);
        for (int y = 0; y < copyH; y++) {
            int src = (top + y) * srcW + left;
            System.arraycopy(s.labels(), src, labels, y * width, copyW);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(s.image(), c * srcH * srcW + src, image, c * height * width + y * width, copyW);
            }
        }
        return new SegSample(s.id(), height, width, image, labels);
    }
}
