package org.robustseg.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.SplittableRandom;
import org.robustseg.model.Architecture;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;

/**
 * A test-only segmentation net (conv-BN-ReLU, conv-ReLU, 1×1 conv) and its synthetic task:
 * coloured discs on a noisy background, 3 classes (0 background, 1 reddish disc, 2 bluish
 * disc). Trained for a couple of seconds it reaches high pixel accuracy, which gives attacks
 * something to break.
 */
public final class TinySegNet {
    public static final String NAME = "test-tiny-segnet";
    public static final int CLASSES = 3;
    public static final int SIZE = 16;

    private TinySegNet() {}

    static {
        ModelZoo.register(new Architecture() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public String description() {
                return "three-layer conv net with BatchNorm, for tests";
            }

            @Override
            public Block build(int numClasses) {
                return new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(12).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu)
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(12).build())
                        .add(Activation::relu)
                        .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(numClasses).build());
            }

            @Override
            public Shape initShape() {
                return new Shape(1, 3, SIZE, SIZE);
            }
        });
    }

    /** The same network behind an input quantisation round(16·x)/16: its input gradient is exactly 0 (gradient masking). */
    public static final String QUANTISED = "test-tiny-segnet-quantised";

    static {
        ModelZoo.register(new Architecture() {
            @Override
            public String name() {
                return QUANTISED;
            }

            @Override
            public String description() {
                return "the test net behind a non-differentiable input quantisation, for gradient-masking tests";
            }

            @Override
            public Block build(int numClasses) {
                return new SequentialBlock()
                        .add(x -> new NDList(x.singletonOrThrow().mul(16).round().div(16)))
                        .add(ModelZoo.architecture(NAME).build(numClasses));
            }

            @Override
            public Shape initShape() {
                return new Shape(1, 3, SIZE, SIZE);
            }
        });
    }

    /** A batch of scenes: images N×3×S×S in [0,1] and labels N×S×S (int32), fully determined by the seed. */
    public static NDList scenes(NDManager manager, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int s = SIZE;
        float[] img = new float[n * 3 * s * s];
        int[] lab = new int[n * s * s];
        for (int i = 0; i < n; i++) {
            float[] bg = {0.3f + 0.3f * rng.nextFloat(), 0.3f + 0.3f * rng.nextFloat(), 0.3f + 0.3f * rng.nextFloat()};
            int cls = 1 + rng.nextInt(2);
            float[] fg = cls == 1 ? new float[] {0.75f, 0.45f, 0.45f} : new float[] {0.45f, 0.45f, 0.75f};
            double cy = 4 + rng.nextDouble() * (s - 8);
            double cx = 4 + rng.nextDouble() * (s - 8);
            double r = 2.5 + rng.nextDouble() * 2.5;
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    boolean in = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r;
                    lab[i * s * s + y * s + x] = in ? cls : 0;
                    for (int c = 0; c < 3; c++) {
                        float v = (in ? fg[c] : bg[c]) + 0.05f * (float) rng.nextGaussian();
                        img[((i * 3 + c) * s + y) * s + x] = Math.min(1, Math.max(0, v));
                    }
                }
            }
        }
        return new NDList(manager.create(img, new Shape(n, 3, s, s)), manager.create(lab, new Shape(n, s, s)));
    }

    /** A freshly initialised, untrained model. */
    public static SegmentationModel untrained(long seed) {
        return SegmentationModel.create(NAME, CLASSES, seed);
    }

    /** A model trained with Adam on fresh synthetic batches for {@code steps} steps (BatchNorm in training mode). */
    public static SegmentationModel trained(long seed, int steps) {
        return trained(NAME, seed, steps);
    }

    /** Like {@link #trained(long, int)} for another registered test architecture of the same task. */
    public static SegmentationModel trained(String architecture, long seed, int steps) {
        SegmentationModel model = SegmentationModel.create(architecture, CLASSES, seed);
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.02f)).build();
        for (int step = 0; step < steps; step++) {
            try (NDManager m = model.manager().newSubManager()) {
                NDList batch = scenes(m, 16, seed * 100003 + step);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray logits = model.forward(batch.get(0), true).get(0);
                    gc.backward(PixelCrossEntropy.mean(logits, batch.get(1)));
                }
                for (Pair<String, Parameter> p : model.block().getParameters()) {
                    Parameter param = p.getValue();
                    if (param.requiresGradient()) {
                        NDArray w = param.getArray();
                        NDArray g = w.getGradient();
                        adam.update(param.getId(), w, g);
                        g.subi(g); // PyTorch accumulates gradients; DJL's collector does not zero them
                    }
                }
            }
        }
        return model;
    }

    /** Mean pixel accuracy of the model on (images, labels). */
    public static float accuracy(SegmentationModel model, NDArray images, NDArray labels) {
        try (NDManager m = images.getManager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(m);
            return PixelAccuracy.perSample(model.logits(x), labels).mean().getFloat();
        }
    }
}
