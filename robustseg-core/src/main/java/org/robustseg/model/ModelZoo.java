package org.robustseg.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The registry of architectures by name. */
public final class ModelZoo {
    private static final Map<String, Architecture> ARCHITECTURES = new LinkedHashMap<>();

    static {
        Presets.all().forEach(ModelZoo::register);
    }

    private ModelZoo() {}

    /** Adds an architecture (e.g. a custom one from user code or a test) to the registry. */
    public static synchronized void register(Architecture a) {
        if (a.name().equals(ModelSpec.TORCHSCRIPT) || a.name().equals(ModelSpec.ONNX)) {
            throw new IllegalArgumentException("'" + a.name() + "' names imported models; register the architecture under another name");
        }
        ARCHITECTURES.put(a.name(), a);
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(ARCHITECTURES.keySet());
    }

    /** The architecture named {@code name}; the error lists the known names. */
    public static Architecture architecture(String name) {
        Architecture a = ARCHITECTURES.get(name);
        if (a == null && (name.equals(ModelSpec.TORCHSCRIPT) || name.equals(ModelSpec.ONNX))) {
            throw new IllegalArgumentException("a " + name + " model is imported from its model card, not built by name: "
                    + "give the card (or a checkpoint holding the model) instead");
        }
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
        return assemble(spec, block -> block.setInitializer(new ConstantInitializer(0f), p -> true), null);
    }

    /**
     * Builds and initialises a model; the seed (all 64 bits) fixes every initial weight and the
     * dropout streams, independently of the engine's random state, which is left untouched.
     */
    public static SegmentationModel create(ModelSpec spec, long seed) {
        return create(spec, seed, null);
    }

    /** Like {@link #create(ModelSpec, long)}, on {@code device} (null: the engine's default, a GPU where one is visible). */
    public static SegmentationModel create(ModelSpec spec, long seed, Device device) {
        // weights from a generator of their own, seeded with all 64 bits: creating a model neither
        // reseeds nor advances the engine's global stream, and what ran before cannot change it
        SegmentationModel built = assemble(spec, block -> block.setInitializer(new SeededInitializer(seed), Parameter.Type.WEIGHT), device);
        SeededDropout.reseed(built.block(), seed);
        return built;
    }

    /** The architecture's block for {@code spec}, initialised after {@code initializers} set its initialisers. */
    private static SegmentationModel assemble(ModelSpec spec, Consumer<Block> initializers, Device device) {
        Architecture arch = architecture(spec.name());
        Block block = spec.dualBatchNorm() ? Norms.dual(() -> arch.build(spec.numClasses())) : arch.build(spec.numClasses());
        Model model = device == null ? Model.newInstance(spec.name(), "PyTorch") : Model.newInstance(spec.name(), device, "PyTorch");
        model.setBlock(block);
        initializers.accept(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, arch.initShape());
        SegmentationModel built = new SegmentationModel(spec, model);
        if (spec.dualBatchNorm() && !DualBatchNorm.isDual(built)) {
            built.close();
            throw new IllegalArgumentException("model '" + spec.name() + "' cannot be built with dual BatchNorm: its "
                    + "architecture does not create BatchNorms through Norms.batchNorm()");
        }
        return built;
    }
}
