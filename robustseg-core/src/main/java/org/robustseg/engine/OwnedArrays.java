package org.robustseg.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The only way robustseg turns Java values into NDArrays: every array made here lives in memory
 * that libtorch allocated and owns.
 *
 * <p>Why: DJL's PyTorch engine builds an NDArray from Java data ({@code manager.create(float[], shape)},
 * {@code create(Number)}, and so every {@code x.mul(2f)}, {@code x.div(n)}, {@code x.pow(2)},
 * {@code x.maximum(0f)}) with {@code torch::from_blob} over a direct {@link java.nio.ByteBuffer}
 * that only the Java wrapper keeps alive. Autograd keeps the <em>tensor</em> alive for the backward
 * pass (the saved operand of a product, a quotient, a power, a maximum), not the wrapper: once the
 * wrapper is closed (DJL closes the scalar of {@code x.mul(2f)} before returning) and a garbage
 * collection runs, the buffer is freed and reused, and the backward pass reads whatever was
 * written there since. The forward result is right; the gradient is garbage, at a time chosen by
 * the garbage collector. That made training runs differ from run to run and, now and then,
 * collapse (a loss of 3e13 in one epoch; see {@code OwnedArraysTest} for the reproduction).
 *
 * <p>So: Java data becomes an NDArray through {@link #of} (a libtorch-owned copy), a constant
 * through {@link #scalar}, and arithmetic with a constant whose derivative needs that constant
 * through {@link #mul}, {@link #div}, {@link #pow}, {@link #maximum}, {@link #minimum}. Addition,
 * subtraction, comparisons and {@code clip} with a Number are safe (their backward saves no
 * operand, or DJL passes the number to libtorch as a scalar) and stay as they are. An ArchUnit
 * rule ({@code EngineOwnedMemoryRuleTest}) keeps the unsafe overloads out of the code base.
 */
public final class OwnedArrays {
    private OwnedArrays() {}

    /** A libtorch-owned copy of {@code data} with {@code shape}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A libtorch-owned copy of {@code data} with {@code shape}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, double[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A libtorch-owned copy of {@code data} with {@code shape}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, int[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A libtorch-owned copy of {@code data} with {@code shape}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, long[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A libtorch-owned copy of {@code data} with {@code shape}, attached to {@code manager}. */
    public static NDArray of(NDManager manager, boolean[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A libtorch-owned copy of {@code data} (e.g. a file's bytes) read as {@code type} with {@code shape}. */
    public static NDArray of(NDManager manager, java.nio.Buffer data, Shape shape, DataType type) {
        return owned(manager.create(data, shape, type));
    }

    /**
     * An input for an engine without autograd (ONNX Runtime): nothing keeps such an array for a
     * backward pass, so it needs no copy (ONNX Runtime's arrays cannot be duplicated anyway).
     */
    public static NDArray inferenceInput(NDManager manager, float[] data, Shape shape) {
        return manager.create(data, shape);
    }

    /** A one-dimensional libtorch-owned copy of {@code data}. */
    public static NDArray of(NDManager manager, float[] data) {
        return of(manager, data, new Shape(data.length));
    }

    /** A one-dimensional libtorch-owned copy of {@code data}. */
    public static NDArray of(NDManager manager, long[] data) {
        return of(manager, data, new Shape(data.length));
    }

    /** A 0-dimensional constant of {@code type}, made by libtorch ({@code torch::full}). */
    public static NDArray scalar(NDManager manager, double value, DataType type) {
        return manager.full(new Shape(), (float) value, type);
    }

    /** x · c, safe to differentiate. */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray s = like(x, c)) {
            return x.mul(s);
        }
    }

    /** x ·= c in place (x is returned), with a libtorch-owned constant. */
    public static NDArray muli(NDArray x, double c) {
        try (NDArray s = like(x, c)) {
            return x.muli(s);
        }
    }

    /** x / c, safe to differentiate. */
    public static NDArray div(NDArray x, double c) {
        try (NDArray s = like(x, c)) {
            return x.div(s);
        }
    }

    /** x<sup>p</sup>, safe to differentiate. */
    public static NDArray pow(NDArray x, double p) {
        try (NDArray s = like(x, p)) {
            return x.pow(s);
        }
    }

    /** max(x, c) elementwise, safe to differentiate. */
    public static NDArray maximum(NDArray x, double c) {
        try (NDArray s = like(x, c)) {
            return x.maximum(s);
        }
    }

    /** min(x, c) elementwise, safe to differentiate. */
    public static NDArray minimum(NDArray x, double c) {
        try (NDArray s = like(x, c)) {
            return x.minimum(s);
        }
    }

    /** A constant of x's type on x's manager (closing its wrapper is safe: autograd holds the libtorch tensor). */
    private static NDArray like(NDArray x, double c) {
        return scalar(x.getManager(), c, x.getDataType());
    }

    /** A libtorch-allocated clone of {@code blob} in blob's manager; the blob and its Java buffer are released at once. */
    private static NDArray owned(NDArray blob) {
        try (blob) {
            return blob.duplicate();
        }
    }
}
