package org.robustseg.model;

/**
 * What identifies an architecture instance: its registered name, its number of classes and
 * whether its BatchNorms are dual (AdvProp training; the inference model is the ordinary one).
 *
 * @param name registered architecture name, e.g. "pspnet-lite"
 * @param numClasses number of output classes C
 * @param dualBatchNorm every BatchNorm is a {@link DualBatchNorm} (main + auxiliary)
 */
public record ModelSpec(String name, int numClasses, boolean dualBatchNorm) {
    /** The name of every imported TorchScript network ({@code org.robustseg.interop}); not a zoo architecture. */
    public static final String TORCHSCRIPT = "torchscript";
    /** The name of every imported ONNX network: inference only (no gradients through ONNX Runtime). */
    public static final String ONNX = "onnx";

    public ModelSpec {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a segmentation model needs at least 2 classes, got " + numClasses);
        }
    }

    /** Imported from a file with a model card rather than built by the zoo. */
    public boolean imported() {
        return name.equals(TORCHSCRIPT) || name.equals(ONNX);
    }

    /** Whether the model can give gradients (input gradients for attacks and synthesis, weight gradients for training). */
    public boolean differentiable() {
        return !name.equals(ONNX);
    }

    /** An ordinary (single-BN) model. */
    public ModelSpec(String name, int numClasses) {
        this(name, numClasses, false);
    }
}
