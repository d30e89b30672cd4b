package org.robustseg.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.util.Pair;

/**
 * Counts the floating-point operations of an architecture's convolutions at a given input
 * shape: 2 per multiply-add, plus one per bias add. Convolutions are well over 99% of the
 * arithmetic of these networks (BatchNorm, ReLU, pooling and resizing are a few element-wise
 * operations per activation), and the PyTorch reference counts with the same rule, so the
 * GFLOP/s of both sides are comparable.
 *
 * <p>The count reads each convolution's input shape as recorded by DJL when a fresh block is
 * initialised at the shape asked for, so it needs no knowledge of the architecture's layout.
 */
public final class FlopCounter {
    private static final String AUX_HEAD = "auxHead";

    private FlopCounter() {}

    /**
     * FLOPs of one forward pass.
     *
     * @param inference the eval forward (main head only)
     * @param training the training forward (main and auxiliary heads)
     */
    public record Flops(long inference, long training) {
        /** Conventional cost of an input-gradient step: forward + backward to the input (≈ 2 forwards). */
        public long attackStep() {
            return 2 * inference;
        }

        /** Conventional cost of a training step: forward + backward to activations and weights (≈ 3 forwards). */
        public long trainingStep() {
            return 3 * training;
        }
    }

    /** Counts the convolutions of {@code architecture} (a fresh block, {@code numClasses} outputs) at {@code input}. */
    public static Flops count(String architecture, int numClasses, Shape input) {
        Block block = ModelZoo.architecture(architecture).build(numClasses);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            block.initialize(manager, DataType.FLOAT32, input);
            long[] sums = new long[2];
            visit(block, false, sums);
            return new Flops(sums[0], sums[0] + sums[1]);
        }
    }

    /** sums[0]: convolutions outside the auxiliary head; sums[1]: inside it. */
    private static void visit(Block block, boolean inAux, long[] sums) {
        if (block instanceof Convolution conv) {
            sums[inAux ? 1 : 0] += convolution(conv);
            return;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            // DJL prefixes child names with their index, e.g. "03auxHead".
            visit(child.getValue(), inAux || child.getKey().endsWith(AUX_HEAD), sums);
        }
    }

    private static long convolution(Convolution conv) {
        Shape in = conv.describeInput().get(0).getValue();
        Shape out = conv.getOutputShapes(new Shape[] {in})[0];
        long kernelVolume = 0;
        boolean bias = false;
        for (Pair<String, Parameter> p : conv.getDirectParameters()) {
            if (p.getKey().equals("weight")) {
                Shape w = p.getValue().getArray().getShape(); // out × in/groups × kh × kw
                kernelVolume = w.get(1) * w.get(2) * w.get(3);
            } else if (p.getKey().equals("bias")) {
                bias = true;
            }
        }
        return 2 * out.size() * kernelVolume + (bias ? out.size() : 0);
    }
}
