package org.robustseg.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The registry of architectures by name. */
public final class ModelZoo {
    private static final Map<String, Architecture> ARCHITECTURES = new LinkedHashMap<>();

    static {
        Presets.all().forEach(ModelZoo::register);
    }

    private ModelZoo() {}

    /** Adds an architecture (e.g. a custom one from user code or a test) to the registry. */
    public static synchronized void register(Architecture a) {
        ARCHITECTURES.put(a.name(), a);
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(ARCHITECTURES.keySet());
    }

    /** The architecture named {@code name}; the error lists the known names. */
    public static Architecture architecture(String name) {
        Architecture a = ARCHITECTURES.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown model '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return a;
    }

    /**
     * A model of {@code spec} with every parameter zero: a vessel for weights copied in (numerics
     * checks). It draws nothing from the engine's random generator.
     */
    static SegmentationModel build(ModelSpec spec) {
        Architecture arch = architecture(spec.name());
        Block block = spec.dualBatchNorm() ? Norms.dual(() -> arch.build(spec.numClasses())) : arch.build(spec.numClasses());
        Model model = Model.newInstance(spec.name(), "PyTorch");
        model.setBlock(block);
        block.setInitializer(new ConstantInitializer(0f), p -> true);
        block.initialize(model.getNDManager(), DataType.FLOAT32, arch.initShape());
        return new SegmentationModel(spec, model);
    }

    /** Builds and initialises a model; the seed fixes every initial weight. */
    public static SegmentationModel create(ModelSpec spec, long seed) {
        Architecture arch = architecture(spec.name());
        Block block = spec.dualBatchNorm() ? Norms.dual(() -> arch.build(spec.numClasses())) : arch.build(spec.numClasses());
        Model model = Model.newInstance(spec.name(), "PyTorch");
        model.setBlock(block);
        synchronized (ModelZoo.class) {
            Engine.getEngine("PyTorch").setRandomSeed((int) seed);
            block.initialize(model.getNDManager(), DataType.FLOAT32, arch.initShape());
        }
        SegmentationModel built = new SegmentationModel(spec, model);
        if (spec.dualBatchNorm() && !DualBatchNorm.isDual(built)) {
            built.close();
            throw new IllegalArgumentException("model '" + spec.name() + "' cannot be built with dual BatchNorm: its "
                    + "architecture does not create BatchNorms through Norms.batchNorm()");
        }
        return built;
    }
}
