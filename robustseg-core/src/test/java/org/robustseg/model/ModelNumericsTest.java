package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.engine.Agreement;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsException;
import org.robustseg.engine.NumericsReport;
import org.robustseg.engine.OneDnnIsa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelNumericsTest {
    @AfterEach
    void noSimulatedFault() {
        System.clearProperty(Agreement.SIMULATE_PROPERTY);
        EngineGuard.reset();
    }

    @Test
    void float32AgreesWithFloat64ForwardAndBothGradientsAtTheShapesARunUses() {
        try (SegmentationModel model = SegmentationModel.create("deeplabv3-lite", 11, 3)) {
            for (Shape s : List.of(new Shape(2, 3, 64, 64), new Shape(3, 3, 48, 40))) {
                NumericsReport r = ModelNumerics.check(model, s, true);
                assertTrue(r.passed(), r.summary());
                assertEquals(3, r.cases().size());
                // measured ~5e-7 for logits and ~1e-6 for gradients; zero would mean nothing was compared
                for (NumericsReport.Case c : r.cases()) {
                    assertTrue(c.relativeError() > 0 && c.relativeError() < 1e-4, c.toString());
                }
            }
        }
    }

    /**
     * The failing path, forced on every CPU: under a simulated wrong kernel the first forward at a
     * new shape throws, naming the fix; and the check itself changes nothing (weights, BatchNorm
     * statistics, gradients, the engine's random stream).
     */
    @Test
    void aWrongKernelStopsTheFirstForwardAtANewShape() {
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 1);
             NDManager m = model.manager().newSubManager()) {
            NDArray x = m.ones(new Shape(2, 3, 32, 32)).mul(0.5f);
            List<float[]> before = snapshot(model);
            m.getEngine().setRandomSeed(11);
            float[] stream = m.randomUniform(0, 1, new Shape(4), DataType.FLOAT32).toFloatArray();
            m.getEngine().setRandomSeed(11);
            model.logits(x); // healthy: checked and remembered
            assertArrayEquals(stream, m.randomUniform(0, 1, new Shape(4), DataType.FLOAT32).toFloatArray(),
                    "the check must not draw from the engine's generator");
            List<float[]> after = snapshot(model);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "parameter " + i + " changed by the check");
            }

            System.setProperty(Agreement.SIMULATE_PROPERTY, OneDnnIsa.cap());
            EngineGuard.reset();
            model.logits(x); // this shape was verified before the fault: no recheck
            NumericsException e = assertThrows(NumericsException.class,
                    () -> model.logits(m.ones(new Shape(1, 3, 32, 32))));
            String next = OneDnnIsa.nextSafer(OneDnnIsa.cap(), OneDnnIsa.cpuFlags());
            assertTrue(e.getMessage().contains(next == null ? "no safer oneDNN cap" : OneDnnIsa.VARIABLE + "=" + next), e.getMessage());
        }
    }

    /** The check runs its backward passes on copies: the model's own gradients stay zero (a leak here corrupted training). */
    @Test
    void theChecksBackwardPassesLeaveTheModelsGradientsAlone() {
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 2)) {
            assertTrue(model.checkNumerics(new Shape(2, 3, 32, 32)).passed());
            assertTrue(model.checkNumerics(new Shape(1, 3, 40, 32)).passed());
            int checked = 0;
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    float[] g = p.getValue().getArray().getGradient().toFloatArray();
                    for (float v : g) {
                        assertEquals(0f, v, 0f, p.getKey());
                    }
                    checked++;
                }
            }
            assertTrue(checked > 10);
        }
    }

    private static List<float[]> snapshot(SegmentationModel model) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
