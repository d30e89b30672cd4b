package org.robustseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.robustseg.engine.Agreement;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsReport;
import org.robustseg.engine.OneDnnIsa;
import org.robustseg.engine.OwnedArrays;

/**
 * A model's float32 forward (and, outside a GradientCollector, its input and weight gradients)
 * against a float64 copy of the same weights, at one input shape. oneDNN chooses its kernels by
 * layer shape, input size and batch, so a check at one shape proves nothing about another:
 * {@link SegmentationModel} runs this once for every input shape it meets, before trusting it.
 *
 * <p>BatchNorm runs in eval statistics on both sides (kernels are chosen by shape, not by mode),
 * so the check never moves running statistics; the input and the weights r of the scalar Σ r·logits
 * come from a {@link SplittableRandom} seeded by the shape, so the check leaves the engine's random
 * stream alone and gives the same verdict every run.
 */
final class ModelNumerics {
    /**
     * Largest relative L2 error accepted for a network's logits. Healthy kernels give ~1e-6 (lite
     * nets and ResNet-50 alike); the wrong kernels seen on Zen 5 moved a logit from −1.22 to −1.09.
     */
    static final double LOGITS_TOLERANCE = 1e-3;
    /**
     * Largest relative L2 error accepted for input and weight gradients. Looser, because gradients
     * are not smooth in the weights: where a ReLU's input or a max-pool's runner-up lies within
     * float32 rounding of the kink, float32 and float64 route the gradient differently. Seen on
     * pspnet-resnet50 at initialisation: up to 5e-3 on healthy kernels (1e-6 where no kink flips).
     * A wrong backward kernel corrupts whole gradient maps, far above this.
     */
    static final double GRADIENT_TOLERANCE = 5e-2;

    private ModelNumerics() {}

    /**
     * Checks {@code model} at {@code shape}; with {@code gradients} also the input gradient and
     * every weight gradient (needs no open GradientCollector). The model is left as it was.
     */
    static NumericsReport check(SegmentationModel model, Shape shape, boolean gradients) {
        if (gradients) {
            EngineGuard.requireHealthy(); // the cheap battery first: its failure names a layer, not a model
        }
        List<NumericsReport.Case> cases = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(shape.hashCode() * 31L + model.numClasses());
        try (NDManager m = model.manager().newSubManager();
             SegmentationModel same = copy(model, DataType.FLOAT32);
             SegmentationModel shadow = copy(model, DataType.FLOAT64)) {
            NDArray x = uniform(m, rng, shape);
            NDArray r = null;
            String where = model.name() + " " + shape;
            if (!gradients) {
                NDArray y32 = same.block().forward(same.parameterStore(), new NDList(x), false).singletonOrThrow();
                NDArray y64 = shadow.block().forward(shadow.parameterStore(), new NDList(x.toType(DataType.FLOAT64, false)), false)
                        .singletonOrThrow();
                cases.add(new NumericsReport.Case(where + " logits", Agreement.relativeL2Error(y32, y64), LOGITS_TOLERANCE));
            } else {
                List<NDArray> g32 = gradients(same, x, rng, m, null);
                r = g32.remove(g32.size() - 1);
                List<NDArray> g64 = gradients(shadow, x.toType(DataType.FLOAT64, false), rng, m, r.toType(DataType.FLOAT64, false));
                cases.add(new NumericsReport.Case(where + " logits", Agreement.relativeL2Error(g32.get(0), g64.get(0)),
                        LOGITS_TOLERANCE));
                cases.add(new NumericsReport.Case(where + " input gradient", Agreement.relativeL2Error(g32.get(1), g64.get(1)),
                        GRADIENT_TOLERANCE));
                // all weight gradients as one vector: a tensor whose true gradient is ~0 would make its own ratio meaningless
                double weights = Agreement.relativeL2Error(g32.subList(2, g32.size()), g64.subList(2, g64.size()));
                cases.add(new NumericsReport.Case(where + " weight gradients", weights, GRADIENT_TOLERANCE));
            }
        }
        return new NumericsReport(model.name(), List.copyOf(cases), OneDnnIsa.cap());
    }

    /**
     * [logits, ∂/∂x, ∂/∂w for every trainable weight, r] of Σ r·logits. Called on copies only, so
     * the checked model's own gradient arrays are never touched.
     */
    private static List<NDArray> gradients(SegmentationModel model, NDArray x0, SplittableRandom rng, NDManager m, NDArray given) {
        List<NDArray> out = new ArrayList<>();
        NDArray x = x0.duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector collector = m.getEngine().newGradientCollector()) {
            NDArray logits = model.block().forward(model.parameterStore(), new NDList(x), false).get(0);
            NDArray r = given != null ? given : uniform(m, rng, logits.getShape());
            collector.backward(logits.mul(r).sum());
            out.add(logits.stopGradient());
            out.add(x.getGradient().duplicate());
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    NDArray g = p.getValue().getArray().getGradient().duplicate();
                    g.attach(m);
                    out.add(g);
                }
            }
            out.add(r);
        }
        return out;
    }

    /** A new model of the same spec holding {@code model}'s weights (BatchNorm statistics included) as {@code type}. */
    private static SegmentationModel copy(SegmentationModel model, DataType type) {
        SegmentationModel copy = ModelZoo.build(model.spec());
        try {
            copy.copyParameters(model, type);
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    private static NDArray uniform(NDManager m, SplittableRandom rng, Shape shape) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble();
        }
        return OwnedArrays.of(m, v, shape);
    }
}
