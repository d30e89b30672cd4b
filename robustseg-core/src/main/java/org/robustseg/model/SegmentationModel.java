package org.robustseg.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsException;
import org.robustseg.engine.NumericsReport;

/**
 * A segmentation network in robustseg's conventions: it takes images N×3×H×W in [0,1]
 * (normalisation happens inside) and returns logits N×C×H×W at the input resolution.
 *
 * <p>The block's contract: {@code forward(ps, NDList(images), training)} returns
 * {@code NDList(logits)}, plus auxiliary-head logits as a second element when
 * {@code training} is true and the architecture has an auxiliary head.
 */
public final class SegmentationModel implements AutoCloseable {
    private final ModelSpec spec;
    private final Model model;
    private ParameterStore parameterStore;
    /** Input shapes whose float32 forward agreed with float64; those whose gradients are still to check. */
    private final Set<Shape> verified = new HashSet<>();
    private final Set<Shape> gradientsPending = new LinkedHashSet<>();

    SegmentationModel(ModelSpec spec, Model model) {
        this.spec = spec;
        this.model = model;
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /**
     * Wraps an imported network ({@code spec.imported()}): a DJL model on the PyTorch engine whose
     * block keeps this class's contract ([0,1] images in, logits at the input resolution out).
     * Zoo models come from {@link #create} or {@link ModelZoo}.
     */
    public static SegmentationModel imported(ModelSpec spec, Model model) {
        if (!spec.imported()) {
            throw new IllegalArgumentException(spec.name() + " is a zoo architecture: build it with ModelZoo.create");
        }
        return new SegmentationModel(spec, model);
    }

    /** Builds a freshly initialised model; same name, classes and seed give identical weights. */
    public static SegmentationModel create(String name, int numClasses, long seed) {
        return ModelZoo.create(new ModelSpec(name, numClasses), seed);
    }

    public ModelSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public int numClasses() {
        return spec.numClasses();
    }

    public Block block() {
        return model.getBlock();
    }

    public Model djlModel() {
        return model;
    }

    /** The manager that owns the parameters. Use sub-managers of it for per-step work. */
    public NDManager manager() {
        return model.getNDManager();
    }

    public ParameterStore parameterStore() {
        return parameterStore;
    }

    public DataType dataType() {
        return model.getDataType();
    }

    /**
     * Full forward pass: main logits first, auxiliary logits second when training with an aux head.
     *
     * <p>The first time an input shape is seen, this model's float32 logits, input gradient and
     * weight gradients at that shape are checked against a float64 copy ({@link ModelNumerics}),
     * because oneDNN picks its kernels by shape and has computed wrong float32 convolutions on
     * some CPUs. Disagreement throws {@link NumericsException}, naming the fix. Inside a
     * GradientCollector (one at a time) only the forward can be checked there; the gradients of
     * such shapes wait for {@link #verifyPendingNumerics()}, which callers that take gradients
     * call once their collector is closed. Models cast to float64 (the reference) are not checked.
     * An imported network cannot be copied to float64 (DJL's TorchScript module has no
     * {@code to(dtype)}): it gets the engine-wide battery ({@link EngineGuard}) instead.
     */
    public NDList forward(NDArray images, boolean training) {
        Shape shape = images.getShape();
        if (!verified.contains(shape)) {
            boolean collecting = EngineGuard.collecting();
            check(shape, !collecting);
            verified.add(shape);
            if (collecting) {
                gradientsPending.add(shape);
            }
        }
        return block().forward(parameterStore, new NDList(images), training);
    }

    /** Checks the gradients of shapes first met inside a GradientCollector; call with no collector open. */
    public void verifyPendingNumerics() {
        while (!gradientsPending.isEmpty()) {
            Shape shape = gradientsPending.iterator().next();
            check(shape, true);
            gradientsPending.remove(shape);
        }
    }

    /**
     * Runs the full numerics check (logits, input gradient, weight gradients) at {@code shape}
     * now and returns its report without throwing; a passed shape counts as verified. Needs no
     * open GradientCollector. For diagnostics ({@code robustseg doctor}); {@link #forward} checks by itself.
     */
    public NumericsReport checkNumerics(Shape shape) {
        if (spec.imported()) {
            throw new UnsupportedOperationException(name() + " is imported: it cannot be copied to float64 for a per-shape "
                    + "check (the engine-wide check covers it)");
        }
        NumericsReport r = ModelNumerics.check(this, shape, true);
        if (r.passed()) {
            verified.add(shape);
            gradientsPending.remove(shape);
        }
        return r;
    }

    private void check(Shape shape, boolean gradients) {
        if (spec.imported()) {
            if (gradients) {
                EngineGuard.requireHealthy(); // outside any collector: the battery's own gradients need one
            }
            return;
        }
        if (dataType() == DataType.FLOAT32) {
            ModelNumerics.check(this, shape, gradients).requirePassed();
        }
    }

    /** Logits N×C×H×W with BatchNorm in eval statistics (the model as deployed). */
    public NDArray logits(NDArray images) {
        return forward(images, false).singletonOrThrow();
    }

    /** Number of trainable parameters (BatchNorm running statistics excluded). */
    public long parameterCount() {
        long n = 0;
        for (Pair<String, Parameter> p : block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /**
     * Converts all parameters (BatchNorm statistics included) to {@code type}, e.g. FLOAT64 for
     * gradient checks; inputs must then have the same type. DJL blocks cannot cast themselves,
     * so each parameter's array is replaced by a converted copy.
     */
    public void cast(DataType type) {
        copyParameters(this, type);
    }

    /**
     * Replaces every parameter's array (BatchNorm statistics included) by {@code source}'s, matched
     * by position and name, converted to {@code type}. DJL blocks cannot cast themselves, and
     * copying into an existing array (copyTo/set) trips a libtorch deprecation warning, so each
     * parameter is re-initialised with the converted copy.
     */
    void copyParameters(SegmentationModel source, DataType type) {
        if (spec.imported() || source.spec.imported()) {
            throw new UnsupportedOperationException("cannot convert the parameters of an imported model (" + source.name()
                    + " into " + name() + "): a TorchScript or ONNX network keeps its own data type");
        }
        PairList<String, Parameter> from = source.block().getParameters();
        PairList<String, Parameter> to = block().getParameters();
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("cannot copy " + source.name() + "'s parameters into " + name()
                    + ": " + from.size() + " vs " + to.size() + " parameters");
        }
        List<NDArray> converted = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            if (!from.get(i).getKey().equals(to.get(i).getKey())) {
                throw new IllegalArgumentException("cannot copy " + source.name() + "'s parameters into " + name()
                        + ": parameter " + from.get(i).getKey() + " vs " + to.get(i).getKey());
            }
            // detached first: a converted copy of a parameter that requires a gradient stays on the
            // autograd graph, and a backward through the copy would accumulate into the source's gradient
            NDArray detached = from.get(i).getValue().getArray().stopGradient();
            converted.add(detached.toType(type, true));
            detached.close();
        }
        for (int i = 0; i < to.size(); i++) {
            Parameter param = to.get(i).getValue();
            NDArray value = converted.get(i);
            Initializer original = param.getInitializer();
            param.close();
            param.setInitializer((m, shape, dt) -> {
                value.attach(m); // made in the source's manager: this model owns it from now on
                return value;
            });
            param.initialize(manager(), type);
            param.setInitializer(original);
        }
        model.setDataType(type);
        parameterStore = new ParameterStore(model.getNDManager(), false);
        verified.clear();
        gradientsPending.clear();
    }

    /**
     * Gives the model's dropout a stream derived from {@code seed} (the Trainer does so per epoch).
     * Zoo networks hold their own generators ({@link SeededDropout}); an imported network's dropout
     * draws from the engine's global generator, which is therefore seeded here: the one place
     * robustseg seeds global state, and only for imported models, so that their training is
     * reproducible too.
     */
    public void reseedDropout(long seed) {
        if (spec.imported()) {
            manager().getEngine().setRandomSeed((int) (seed ^ (seed >>> 32)));
        } else {
            SeededDropout.reseed(block(), seed);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
