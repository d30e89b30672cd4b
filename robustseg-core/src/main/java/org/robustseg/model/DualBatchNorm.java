package org.robustseg.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * AdvProp's dual BatchNorm (Xie et al. 2020): a main BatchNorm for clean images and an auxiliary
 * one for adversarial images, so that the two input distributions keep separate statistics.
 * Forward passes use the main BN unless routed through the auxiliary ones with
 * {@link #throughAuxiliary}; inference always uses the main BN.
 *
 * <p>Serialisation: {@link #saveParameters}/{@link #loadParameters} write and read the main BN
 * only, byte for byte as a plain BatchNorm at the same place would. So a dual-BN model's
 * parameter file loads into the ordinary architecture; the auxiliary BNs travel separately
 * ({@link #saveAuxiliary}/{@link #loadAuxiliary}, the checkpoint's {@code auxiliary.bin}).
 */
public final class DualBatchNorm extends AbstractBlock {
    private static final byte VERSION = 1;

    private final Block main;
    private final Block auxiliary;
    private boolean routeAuxiliary;

    DualBatchNorm(Block main, Block auxiliary) {
        super(VERSION);
        this.main = addChildBlock("main", main);
        this.auxiliary = addChildBlock("auxiliary", auxiliary);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return (routeAuxiliary ? auxiliary : main).forward(ps, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return main.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        main.initialize(manager, dataType, inputShapes);
        auxiliary.initialize(manager, dataType, inputShapes);
    }

    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        main.saveParameters(os);
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
        main.loadParameters(manager, is);
    }

    /** The main (clean, inference) BatchNorm. */
    public Block main() {
        return main;
    }

    /** The auxiliary (adversarial) BatchNorm. */
    public Block auxiliary() {
        return auxiliary;
    }

    /** Every dual BatchNorm of the model, in block order (empty for an ordinary model). */
    public static List<DualBatchNorm> all(SegmentationModel model) {
        List<DualBatchNorm> found = new ArrayList<>();
        collect(model.block(), found);
        return found;
    }

    /** True when the model was built with dual BatchNorms. */
    public static boolean isDual(SegmentationModel model) {
        return !all(model).isEmpty();
    }

    private static void collect(Block block, List<DualBatchNorm> found) {
        if (block instanceof DualBatchNorm d) {
            found.add(d);
            return;
        }
        for (Block child : block.getChildren().values()) {
            collect(child, found);
        }
    }

    /**
     * Runs {@code body} with every BatchNorm of the model routed through its auxiliary BN and
     * restores the previous routing afterwards, also when {@code body} throws — a scope, so that
     * no caller can forget to switch back. Autograd records the route at forward time, so a
     * backward pass after the scope still reaches the auxiliary parameters.
     *
     * @throws IllegalStateException if the model has no dual BatchNorm
     */
    public static <T> T throughAuxiliary(SegmentationModel model, Supplier<T> body) {
        List<DualBatchNorm> norms = all(model);
        if (norms.isEmpty()) {
            throw new IllegalStateException("model " + model.name() + " was not built with dual BatchNorm");
        }
        boolean[] before = new boolean[norms.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = norms.get(i).routeAuxiliary;
            norms.get(i).routeAuxiliary = true;
        }
        try {
            return body.get();
        } finally {
            for (int i = 0; i < before.length; i++) {
                norms.get(i).routeAuxiliary = before[i];
            }
        }
    }

    /** Writes the auxiliary BNs' parameters and running statistics, in block order. */
    public static void saveAuxiliary(SegmentationModel model, DataOutputStream os) throws IOException {
        List<DualBatchNorm> norms = all(model);
        os.writeInt(norms.size());
        for (DualBatchNorm d : norms) {
            d.auxiliary.saveParameters(os);
        }
    }

    /** Reads what {@link #saveAuxiliary} wrote into a model of the same architecture. */
    public static void loadAuxiliary(SegmentationModel model, DataInputStream is) throws IOException, MalformedModelException {
        List<DualBatchNorm> norms = all(model);
        int stored = is.readInt();
        if (stored != norms.size()) {
            throw new MalformedModelException("auxiliary BatchNorm state holds " + stored + " layers, model " + model.name()
                    + " has " + norms.size());
        }
        for (DualBatchNorm d : norms) {
            d.auxiliary.loadParameters(model.manager(), is);
        }
    }
}
