package org.robustseg.engine;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineSelfCheckTest {
    @AfterEach
    void noSimulatedFault() {
        System.clearProperty(Agreement.SIMULATE_PROPERTY);
        EngineGuard.reset();
    }

    /** Hand-worked: max|a−b| = 0.5 at the second element, max|b| = 4, so 0.125; NaN counts as infinitely wrong. */
    @Test
    void relativeErrorIsTheLargestDifferenceOverTheLargestMagnitude() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray b = m.create(new double[] {1, -4, 2});
            assertEquals(0.125, Agreement.relativeError(m.create(new float[] {1.25f, -3.5f, 2f}), b), 1e-9);
            assertEquals(0.0, Agreement.relativeError(m.create(new float[] {1, -4, 2}), b), 0.0);
            assertEquals(Double.POSITIVE_INFINITY, Agreement.relativeError(m.create(new float[] {1, Float.NaN, 2}), b));
            assertEquals(Double.POSITIVE_INFINITY,
                    Agreement.relativeError(m.create(new float[] {1, Float.POSITIVE_INFINITY, 2}), b));
            // L2: ‖(0.25, 0.5, 0)‖ / ‖(1, −4, 2)‖ = √0.3125 / √21, and over two arrays together
            assertEquals(Math.sqrt(0.3125 / 21), Agreement.relativeL2Error(m.create(new float[] {1.25f, -3.5f, 2f}), b), 1e-9);
            assertEquals(Math.sqrt(0.3125 / 30), Agreement.relativeL2Error(
                    List.of(m.create(new float[] {1.25f, -3.5f, 2f}), m.create(new float[] {3f})),
                    List.of(b, m.create(new double[] {3}))), 1e-9);
            assertEquals(Double.POSITIVE_INFINITY, Agreement.relativeL2Error(m.create(new float[] {1, Float.NaN, 2}), b));
        }
    }

    @Test
    void everyConvolutionOfTheBatteryAgreesWithFloat64OnThisMachine() {
        NumericsReport r = EngineGuard.report();
        assertTrue(r.passed(), r.summary());
        assertEquals(EngineSelfCheck.BATTERY.size() * 3, r.cases().size());
        for (NumericsReport.Case c : r.cases()) {
            // the comparison must have measured something: float32 rounding is never exactly zero on these sizes
            assertTrue(c.relativeError() > 0 && c.relativeError() < 1e-4, c.toString());
        }
        assertEquals(OneDnnIsa.cap(), r.isaCap());
    }

    /** The failing path, forced: a fault under the current cap fails the check with a message naming the fix. */
    @Test
    void aWrongKernelFailsTheCheckAndTheErrorNamesASaferCap() {
        System.setProperty(Agreement.SIMULATE_PROPERTY, OneDnnIsa.cap());
        EngineGuard.reset();
        NumericsReport r = EngineGuard.report();
        assertFalse(r.passed());
        assertTrue(r.worst().relativeError() >= 1, r.summary());
        NumericsException e = assertThrows(NumericsException.class, EngineGuard::requireHealthy);
        String next = OneDnnIsa.nextSafer(OneDnnIsa.cap(), OneDnnIsa.cpuFlags());
        // under the safest cap (a machine whose suite runs with SSE41) there is nothing safer to name
        assertTrue(e.getMessage().contains(next == null ? "no safer oneDNN cap" : "ONEDNN_MAX_CPU_ISA=" + next), e.getMessage());
        assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
    }

    @Test
    void theLadderSkipsCapsThatSelectTheSameKernels() {
        Set<String> zen5 = Set.of("avx", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16");
        Set<String> avx2Only = Set.of("avx", "avx2", "fma");
        assertEquals(List.of("ALL", "AVX2", "SSE41"), OneDnnIsa.ladder(zen5));
        assertEquals(List.of("ALL", "SSE41"), OneDnnIsa.ladder(avx2Only));
        assertEquals("AVX2", OneDnnIsa.nextSafer("ALL", zen5));
        assertEquals("SSE41", OneDnnIsa.nextSafer("AVX2", zen5));
        assertEquals("SSE41", OneDnnIsa.nextSafer("ALL", avx2Only));
        assertNull(OneDnnIsa.nextSafer("SSE41", zen5));
        assertEquals("AVX2", OneDnnIsa.nextSafer("AVX512_CORE", zen5), "a user's cap above AVX2 continues below AVX-512");
        assertEquals("avx512_core_bf16", OneDnnIsa.inferredKernels("ALL", zen5));
        assertEquals("avx2", OneDnnIsa.inferredKernels("AVX2", zen5));
        assertEquals("sse41", OneDnnIsa.inferredKernels("SSE41", avx2Only));
    }

    @Test
    void theCheckLeavesTheEnginesRandomStreamAlone() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            m.getEngine().setRandomSeed(7);
            float[] expected = m.randomUniform(0, 1, new Shape(8), DataType.FLOAT32).toFloatArray();
            m.getEngine().setRandomSeed(7);
            EngineGuard.reset();
            EngineGuard.report();
            assertArrayEquals(expected, m.randomUniform(0, 1, new Shape(8), DataType.FLOAT32).toFloatArray());
        }
    }
}
