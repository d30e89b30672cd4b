package org.robustseg.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

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

    SegmentationModel(ModelSpec spec, Model model) {
        this.spec = spec;
        this.model = model;
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
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

    /** Full forward pass: main logits first, auxiliary logits second when training with an aux head. */
    public NDList forward(NDArray images, boolean training) {
        return block().forward(parameterStore, new NDList(images), training);
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
        for (Pair<String, Parameter> p : block().getParameters()) {
            Parameter param = p.getValue();
            NDArray converted = param.getArray().toType(type, true);
            Initializer original = param.getInitializer();
            param.close();
            param.setInitializer((m, shape, dt) -> converted);
            param.initialize(manager(), type);
            param.setInitializer(original);
        }
        model.setDataType(type);
        parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    @Override
    public void close() {
        model.close();
    }
}
