package org.robustseg.data;

import java.util.Random;

/**
 * Rescales image and labels by one random factor. Labels are always resampled by nearest
 * neighbour: interpolating class ids would invent classes along boundaries.
 */
public final class RandomScale implements JointTransform {
    private final float min;
    private final float max;

    public RandomScale(float min, float max) {
        if (!(min > 0) || !(max >= min)) {
            throw new IllegalArgumentException("scale range [" + min + ", " + max + "] must satisfy 0 < min <= max");
        }
        this.min = min;
        this.max = max;
    }

    @Override
    public SegSample apply(SegSample s, Random rng) {
        float factor = min + (max - min) * rng.nextFloat();
        int h = Math.max(1, Math.round(s.height() * factor));
        int w = Math.max(1, Math.round(s.width() * factor));
        if (h == s.height() && w == s.width()) {
            return s;
        }
        return new SegSample(s.id(), h, w,
                Resample.bilinear(s.image(), 3, s.height(), s.width(), h, w),
                Resample.nearest(s.labels(), s.height(), s.width(), h, w));
    }
}
