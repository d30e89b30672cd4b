package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.robustseg.engine.OwnedArrays;

/**
 * The pixels a {@link Step} may change (1 = may change). A mask is a description resolved against
 * an image batch's shape when used, so {@code Mask.box(20, 20, 22, 22)} (x, y, w, h) needs no image size.
 * Resolved masks are boolean N×1×H×W or 1×1×H×W (shared by the whole batch).
 */
@FunctionalInterface
public interface Mask {

    /** The boolean mask for images of {@code imageShape} (N×3×H×W), created in {@code manager}. */
    NDArray resolve(NDManager manager, Shape imageShape);

    /**
     * The rectangle with top-left corner column {@code x}, row {@code y}, {@code w} wide and
     * {@code h} high (the {@link Box} convention, as {@code Hole.box} and the CLI's {@code --box});
     * empty boxes are refused here, and resolving it against images it does not fit throws.
     */
    static Mask box(int x, int y, int w, int h) {
        Box box = new Box(x, y, w, h);
        return (manager, shape) -> {
            int height = (int) shape.get(2);
            int width = (int) shape.get(3);
            return OwnedArrays.of(manager, box.pixels(height, width), new Shape(1, 1, height, width));
        };
    }

    /**
     * A mask given as an array (any type, non-zero = may change) of shape N×1×H×W, 1×1×H×W or H×W.
     * The caller keeps ownership of {@code mask}.
     */
    static Mask of(NDArray mask) {
        return (manager, shape) -> {
            Shape s = mask.getShape();
            long h = shape.get(2);
            long w = shape.get(3);
            NDArray m = mask.duplicate(); // our copy: the user keeps their array, we own this one
            m.attach(manager);
            m = s.dimension() == 2 ? m.reshape(1, 1, s.get(0), s.get(1)) : m;
            Shape ms = m.getShape();
            boolean ok = ms.dimension() == 4 && ms.get(1) == 1 && ms.get(2) == h && ms.get(3) == w
                    && (ms.get(0) == 1 || ms.get(0) == shape.get(0));
            if (!ok) {
                throw new IllegalArgumentException("mask of shape " + s + " does not fit images of shape " + shape
                        + " (expected N×1×H×W, 1×1×H×W or H×W)");
            }
            return m.getDataType() == DataType.BOOLEAN ? m : m.neq(0);
        };
    }

    /** The complement: pixels this mask protects may change, and vice versa. */
    default Mask invert() {
        return (manager, shape) -> resolve(manager, shape).logicalNot();
    }
}
