package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.robustseg.engine.OwnedArrays;

/**
 * A change applied to the input gradient before the {@link Step} turns it into a move: the
 * extension point for smoothing updates during synthesis (e.g. against the stride-8 grid pattern).
 */
@FunctionalInterface
public interface GradientTransform {

    /** The transformed gradient, same shape as {@code gradient} (N×C×H×W). */
    NDArray apply(NDArray gradient);

    /** Leaves the gradient as it is. */
    static GradientTransform identity() {
        return g -> g;
    }

    /**
     * A separable Gaussian blur of standard deviation {@code sigma} pixels per channel, kernel
     * radius ⌈3σ⌉. Borders are renormalised (blur(g)/blur(1)), so edge pixels are not darkened
     * toward zero by the padding.
     */
    static GradientTransform gaussianBlur(float sigma) {
        if (!(sigma > 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("blur sigma must be a finite number > 0, got " + sigma);
        }
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] kernel = new float[2 * radius + 1];
        float total = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(-(i * i) / (2.0 * sigma * sigma));
            total += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= total;
        }
        return g -> Scoped.compute(() -> {
            long c = g.getShape().get(1);
            NDArray k = OwnedArrays.of(g.getManager(), kernel).toType(g.getDataType(), false);
            NDArray kh = k.reshape(1, 1, kernel.length, 1).repeat(0, c);
            NDArray kw = k.reshape(1, 1, 1, kernel.length).repeat(0, c);
            NDArray ones = g.onesLike();
            return blur(g, kh, kw, radius, c).div(blur(ones, kh, kw, radius, c));
        });
    }

    private static NDArray blur(NDArray a, NDArray kh, NDArray kw, int radius, long channels) {
        Shape one = new Shape(1, 1);
        NDArray rows = Conv2d.conv2d(a, kh, null, one, new Shape(radius, 0), one, (int) channels).singletonOrThrow();
        return Conv2d.conv2d(rows, kw, null, one, new Shape(0, radius), one, (int) channels).singletonOrThrow();
    }
}
