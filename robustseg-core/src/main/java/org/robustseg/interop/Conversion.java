package org.robustseg.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.engine.OwnedArrays;

/**
 * The two ends of an imported network that robustseg owns: robustseg's [0,1] RGB images turned
 * into what the card says the network wants, and the network's outputs turned into logits
 * N×C×H×W at the input resolution. Differentiable, so input gradients are in [0,1] pixel units.
 */
final class Conversion {
    private Conversion() {}

    /** Range, channel order, mean/std and size as the card's input says, in the images' data type. */
    static NDArray toNetwork(ModelCard.Input input, NDArray images) {
        if (input.isIdentity()) {
            // the engine reads an input's name as a structure hint (dict/tuple inputs): pass an unnamed array.
            // A reshape to the same shape is an unnamed view inside the autograd graph; duplicate() keeps the
            // name and its copy is cut from the graph (no input gradient for named images, e.g. read from .npz)
            return images.getName() == null ? images : images.reshape(images.getShape());
        }
        NDArray x = input.scale() == 1f ? images : OwnedArrays.mul(images, input.scale());
        if (input.bgr()) {
            x = x.flip(1);
        }
        NDManager m = images.getManager();
        Shape perChannel = new Shape(1, 3, 1, 1);
        NDArray mean = OwnedArrays.of(m, input.mean(), perChannel).toType(images.getDataType(), false);
        NDArray std = OwnedArrays.of(m, input.std(), perChannel).toType(images.getDataType(), false);
        x = x.sub(mean).div(std);
        if (input.size() != null) {
            x = Resampling.bilinear(x, input.size()[0], input.size()[1]);
        }
        return x;
    }

    /**
     * The logits among the network's outputs, checked (N×C×h×w with the card's C) and resized to
     * the input's H×W. Errors name the network, the card's output and what was found.
     */
    static NDArray logits(ModelCard card, NDList outputs, Shape inputShape, String source) {
        ModelCard.Output o = card.output();
        NDArray logits = switch (o.kind()) {
            case TENSOR -> {
                if (outputs.size() != 1) {
                    throw new IllegalArgumentException(source + " returns " + describe(outputs) + " but its card says output.kind "
                            + "\"tensor\": give \"tuple\" with an index or \"dict\" with a key");
                }
                yield outputs.get(0);
            }
            case TUPLE -> {
                if (o.index() >= outputs.size()) {
                    throw new IllegalArgumentException(source + " returns " + describe(outputs) + ": its card's output.index "
                            + o.index() + " is out of range");
                }
                yield outputs.get(o.index());
            }
            case DICT -> {
                NDArray found = null;
                for (NDArray a : outputs) {
                    if (o.key().equals(a.getName())) {
                        found = a;
                    }
                }
                if (found == null) {
                    throw new IllegalArgumentException(source + " returns " + describe(outputs) + ": no entry '" + o.key()
                            + "' (the card's output.key)");
                }
                yield found;
            }
        };
        Shape s = logits.getShape();
        if (s.dimension() != 4 || s.get(0) != inputShape.get(0) || s.get(1) != card.numClasses()) {
            throw new IllegalArgumentException(source + ": its " + o.describe() + " has shape " + s + ", expected "
                    + inputShape.get(0) + "×" + card.numClasses() + "×H×W (batch " + inputShape.get(0) + ", the card's "
                    + card.numClasses() + " classes)");
        }
        return Resampling.bilinear(logits, inputShape.get(2), inputShape.get(3));
    }

    /** "a tensor", "3 tensors (out, aux)", for error messages. */
    private static String describe(NDList outputs) {
        if (outputs.size() == 1) {
            String name = outputs.get(0).getName();
            return "one tensor" + (name == null ? "" : " ('" + name + "')") + " of shape " + outputs.get(0).getShape();
        }
        List<String> parts = new ArrayList<>();
        for (NDArray a : outputs) {
            parts.add((a.getName() == null ? "" : a.getName() + " ") + a.getShape());
        }
        return outputs.size() + " tensors (" + String.join(", ", parts) + ")";
    }
}
