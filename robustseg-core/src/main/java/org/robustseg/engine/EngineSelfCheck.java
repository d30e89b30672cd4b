package org.robustseg.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Convolutions in float32 against float64, forward and both backward passes (input and weight
 * gradients), over a battery of shapes: the two that oneDNN 3.7.1 computed wrongly on a Zen 5 VM
 * (input channels not a multiple of the SIMD block: 12→12 under avx2, 24→32 stride 2 under
 * avx512_core), the 3-channel stems every image network starts with, and dilated and 1×1 layers
 * like those of the model zoo. Float64 convolutions do not go through oneDNN (libtorch runs its
 * own kernels for them), so the two sides are independent implementations.
 *
 * <p>oneDNN picks kernels by shape, so a battery cannot prove every layer of every model right:
 * models are also checked per input shape when used ({@code org.robustseg.model.ModelNumerics}).
 * Random data come from a fixed {@link SplittableRandom}, never from the engine's generator, so
 * running the check does not change any caller's random stream. Takes ~0.2 s on 2 cores.
 */
public final class EngineSelfCheck {
    /** Largest relative error accepted for one layer (healthy kernels: ~1e-6). */
    public static final double TOLERANCE = 1e-4;

    /** One convolution configuration: batch, channels in/out, size, kernel, stride, padding, dilation. */
    record Conv(String name, int n, int cin, int cout, int h, int w, int k, int stride, int pad, int dil) {}

    static final List<Conv> BATTERY = List.of(
            new Conv("conv3x3 12->12 16x16 n4", 4, 12, 12, 16, 16, 3, 1, 1, 1),
            new Conv("conv3x3/2 24->32 16x20 n2", 2, 24, 32, 16, 20, 3, 2, 1, 1),
            new Conv("conv3x3/2 3->32 64x64 n4 (stem)", 4, 3, 32, 64, 64, 3, 2, 1, 1),
            new Conv("conv7x7/2 3->64 64x64 n2 (stem)", 2, 3, 64, 64, 64, 7, 2, 3, 1),
            new Conv("conv3x3 32->64 32x32 n2", 2, 32, 64, 32, 32, 3, 1, 1, 1),
            new Conv("conv3x3 d2 64->64 8x8 n16", 16, 64, 64, 8, 8, 3, 1, 2, 2),
            new Conv("conv3x3 d6 128->64 4x5 n2", 2, 128, 64, 4, 5, 3, 1, 6, 6),
            new Conv("conv1x1/2 24->32 16x20 n2", 2, 24, 32, 16, 20, 1, 2, 0, 1),
            new Conv("conv1x1 48->11 16x16 n4", 4, 48, 11, 16, 16, 1, 1, 0, 1));

    private EngineSelfCheck() {}

    /** Runs the battery; must not be called while a GradientCollector is open. */
    public static NumericsReport run(NDManager parent) {
        List<NumericsReport.Case> cases = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(20260); // fixed: the same data on every run
        try (NDManager m = parent.newSubManager()) {
            for (Conv c : BATTERY) {
                NDArray[] f32 = inputs(m, c, rng, DataType.FLOAT32);
                NDArray[] f64 = new NDArray[f32.length];
                for (int i = 0; i < f32.length; i++) {
                    f64[i] = f32[i].toType(DataType.FLOAT64, true);
                }
                NDArray[] r32 = forwardBackward(c, f32);
                NDArray[] r64 = forwardBackward(c, f64);
                String[] parts = {"forward", "input gradient", "weight gradient"};
                for (int i = 0; i < parts.length; i++) {
                    cases.add(new NumericsReport.Case(c.name() + " " + parts[i], Agreement.relativeError(r32[i], r64[i]), TOLERANCE));
                }
            }
        }
        return new NumericsReport("engine convolutions", List.copyOf(cases), OneDnnIsa.cap());
    }

    /** x, weight, bias and the weights r of the scalar Σ r·y whose gradients are compared. */
    private static NDArray[] inputs(NDManager m, Conv c, SplittableRandom rng, DataType type) {
        int ho = (c.h() + 2 * c.pad() - c.dil() * (c.k() - 1) - 1) / c.stride() + 1;
        int wo = (c.w() + 2 * c.pad() - c.dil() * (c.k() - 1) - 1) / c.stride() + 1;
        double fanIn = c.cin() * c.k() * c.k();
        return new NDArray[] {
            uniform(m, rng, new Shape(c.n(), c.cin(), c.h(), c.w()), 0, 1),
            uniform(m, rng, new Shape(c.cout(), c.cin(), c.k(), c.k()), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)),
            uniform(m, rng, new Shape(c.cout()), -0.1, 0.1),
            uniform(m, rng, new Shape(c.n(), c.cout(), ho, wo), -1, 1)};
    }

    private static NDArray uniform(NDManager m, SplittableRandom rng, Shape shape, double lo, double hi) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(lo, hi);
        }
        return OwnedArrays.of(m, v, shape);
    }

    /** The convolution's output and the gradients of Σ r·y with respect to x and the weight. */
    private static NDArray[] forwardBackward(Conv c, NDArray[] in) {
        NDArray x = in[0].duplicate();
        NDArray w = in[1].duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        try (GradientCollector collector = x.getManager().getEngine().newGradientCollector()) {
            NDArray y = Conv2d.conv2d(x, w, in[2], new Shape(c.stride(), c.stride()), new Shape(c.pad(), c.pad()),
                    new Shape(c.dil(), c.dil()), 1).singletonOrThrow();
            collector.backward(y.mul(in[3]).sum());
            return new NDArray[] {y.stopGradient(), x.getGradient().duplicate(), w.getGradient().duplicate()};
        }
    }
}
