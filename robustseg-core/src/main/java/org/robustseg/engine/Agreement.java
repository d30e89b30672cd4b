package org.robustseg.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How far a float32 result lies from the same computation in float64: the largest absolute
 * difference divided by the largest magnitude of the float64 result. Healthy kernels give
 * ~1e-6 for one layer and ~1e-5 for a whole network; the broken kernels seen on Zen 5 gave ~1.
 * NaN or infinity in the float32 result counts as infinitely wrong.
 *
 * <p>A fault can be simulated for tests and for trying the fall-back on a healthy CPU: with the
 * system property {@value #SIMULATE_PROPERTY} set to a comma-separated list of oneDNN caps (e.g.
 * {@code ALL,AVX2}), every comparison made under one of those caps sees a float32 result that is
 * off by the float64 result's magnitude, as a broken kernel would make it.
 */
public final class Agreement {
    public static final String SIMULATE_PROPERTY = "robustseg.numerics.simulateFaultUnder";

    private Agreement() {}

    /** max|f32 − f64| / max|f64| in float64 arithmetic; +∞ where f32 is not finite. */
    public static double relativeError(NDArray f32, NDArray f64) {
        try (NDScope scope = new NDScope()) { // the intermediates below close with the scope
            scope.suppressNotUsedWarning();
            NDArray a = f32.toType(DataType.FLOAT64, false);
            NDArray b = f64.toType(DataType.FLOAT64, false);
            if (a.isInfinite().logicalOr(a.isNaN()).any().getBoolean()) {
                return Double.POSITIVE_INFINITY;
            }
            double scale = Math.max(b.abs().max().getDouble(), 1e-12);
            double diff = a.sub(b).abs().max().getDouble();
            if (faultSimulated()) {
                diff += scale;
            }
            return diff / scale;
        }
    }

    /**
     * ‖f32 − f64‖₂ / ‖f64‖₂ in float64 arithmetic, over all the arrays together (e.g. every
     * weight gradient of a model); +∞ where f32 is not finite. For whole networks: float32
     * rounding leaves a few outliers in a deep net (max-based errors of 1e-2 seen on
     * pspnet-resnet50 at initialisation) while the energy-weighted error stays small; a wrong
     * kernel moves whole feature maps and raises both.
     */
    public static double relativeL2Error(List<NDArray> f32, List<NDArray> f64) {
        double diff2 = 0;
        double scale2 = 0;
        for (int i = 0; i < f32.size(); i++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray a = f32.get(i).toType(DataType.FLOAT64, false);
                NDArray b = f64.get(i).toType(DataType.FLOAT64, false);
                if (a.isInfinite().logicalOr(a.isNaN()).any().getBoolean()) {
                    return Double.POSITIVE_INFINITY;
                }
                scale2 += b.square().sum().getDouble();
                diff2 += a.sub(b).square().sum().getDouble();
            }
        }
        double scale = Math.max(Math.sqrt(scale2), 1e-12);
        double diff = Math.sqrt(diff2) + (faultSimulated() ? scale : 0);
        return diff / scale;
    }

    /** {@link #relativeL2Error(List, List)} of one array. */
    public static double relativeL2Error(NDArray f32, NDArray f64) {
        return relativeL2Error(List.of(f32), List.of(f64));
    }

    /** Whether {@value #SIMULATE_PROPERTY} names the cap this process runs under. */
    public static boolean faultSimulated() {
        String list = System.getProperty(SIMULATE_PROPERTY, "");
        String cap = OneDnnIsa.cap();
        return Arrays.stream(list.split(",")).map(s -> s.trim().toUpperCase(Locale.ROOT)).anyMatch(cap::equals);
    }
}
