package org.robustseg.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.robustseg.Fluent;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;

/**
 * Semantic editing: turn one object of class {@code from} (the largest 4-connected region of that
 * class in the label map) into class {@code to}, changing only the pixels of that object grown by
 * {@link #grow} pixels. It is {@link Inpainting} with the object as the hole, the relabelled map
 * as the target and (by default) no fill: the object itself is the start point.
 */
public final class Editing extends Fluent<Editing> {
    // The defaults, public so that front ends (the CLI's option defaults) read them from here.
    /** Default start: "none", the object itself (a {@link Fill#parse} name). */
    public static final String DEFAULT_FILL = "none";
    public static final int DEFAULT_STEPS = 100;
    public static final float DEFAULT_EPS = 10f;
    public static final float DEFAULT_STEP_SIZE = 0.25f;
    public static final int DEFAULT_DILATE = 2;
    public static final int DEFAULT_GROW = 1;

    private Inpainting inpainting = new Inpainting().fill(Fill.parse(DEFAULT_FILL)).steps(DEFAULT_STEPS).eps(DEFAULT_EPS)
            .stepSize(DEFAULT_STEP_SIZE).dilate(DEFAULT_DILATE);
    private int grow = DEFAULT_GROW;

    Editing() {}

    /** The inpainting configuration the edit runs (steps, step size, ball, fill, ...). */
    public Editing inpainting(Inpainting value) {
        Objects.requireNonNull(value, "inpainting");
        return with(c -> c.inpainting = value);
    }

    /** The object's region is grown by this many pixels so its outline may change a little. */
    public Editing grow(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("grow must be >= 0, got " + value);
        }
        return with(c -> c.grow = value);
    }

    public Inpainting inpainting() {
        return inpainting;
    }

    public Map<String, Object> settings() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(inpainting.settings());
        m.put("method", "editing");
        m.put("grow", grow);
        return m;
    }

    /**
     * Edits one image (1×3×H×W) with label map {@code labels} (H×W): the largest object of class
     * {@code from} becomes class {@code to}.
     */
    public SynthesisResult run(SegmentationModel model, NDArray image, int[] labels, int from, int to) {
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(0) != 1 || s.get(1) != 3) {
            throw new IllegalArgumentException("editing takes one RGB image 1×3×H×W, got shape " + s);
        }
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        if (labels.length != h * w) {
            throw new IllegalArgumentException("label map has " + labels.length + " pixels but the image is " + w + "x" + h);
        }
        Synthesis.checkLabels(labels, model.numClasses(), "label map");
        for (int c : new int[] {from, to}) {
            if (c < 0 || c >= model.numClasses()) {
                throw new IllegalArgumentException("class " + c + " is not one of the model's classes (0.." + (model.numClasses() - 1) + ")");
            }
        }
        Hole object = Hole.largestComponent(labels, h, w, from);
        if (object.count() == 0) {
            throw new IllegalArgumentException("the label map has no pixel of class " + from + " to edit");
        }
        return run(model, image, labels, object, to);
    }

    /**
     * Edits one image (1×3×H×W) with label map {@code labels} (H×W): the pixels of {@code object}
     * (e.g. {@link Hole#componentAt}, the object a user clicked) become class {@code to}.
     */
    public SynthesisResult run(SegmentationModel model, NDArray image, int[] labels, Hole object, int to) {
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(0) != 1 || s.get(1) != 3) {
            throw new IllegalArgumentException("editing takes one RGB image 1×3×H×W, got shape " + s);
        }
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        if (labels.length != h * w || object.height() != h || object.width() != w) {
            throw new IllegalArgumentException("label map or object does not match the " + w + "x" + h + " image");
        }
        Synthesis.checkLabels(labels, model.numClasses(), "label map");
        if (to < 0 || to >= model.numClasses()) {
            throw new IllegalArgumentException("class " + to + " is not one of the model's classes (0.." + (model.numClasses() - 1) + ")");
        }
        object.requireNonEmpty("object");
        int[] target = labels.clone();
        boolean[] in = object.pixels();
        for (int p = 0; p < target.length; p++) {
            if (in[p]) {
                target[p] = to;
            }
        }
        try (NDManager m = image.getManager().newSubManager()) {
            NDArray t = OwnedArrays.of(m, target, new Shape(1, h, w)).toType(DataType.INT64, false);
            return inpainting.run(model, image, List.of(object.dilate(grow)), t);
        }
    }
}
