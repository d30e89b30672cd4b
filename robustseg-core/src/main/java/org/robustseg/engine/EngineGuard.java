package org.robustseg.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The process-wide verdict on the engine's numerics: the {@link EngineSelfCheck} runs once, on
 * first use, and its report is kept. Library code calls {@link #requireHealthy()} before it
 * trusts a float32 result; the CLI calls it at start-up and, on failure, restarts itself under a
 * safer oneDNN cap. {@link #describe()} is what every provenance records about the engine.
 */
public final class EngineGuard {
    private static NumericsReport report;

    private EngineGuard() {}

    /** The engine self-check's report, running it on first call (outside any GradientCollector). */
    public static synchronized NumericsReport report() {
        if (report == null) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                report = EngineSelfCheck.run(m);
            }
        }
        return report;
    }

    /** The report if the check has run in this process, else null (it is not started by asking). */
    public static synchronized NumericsReport reportIfRun() {
        return report;
    }

    /** Throws {@link NumericsException} (naming the fix) when the engine's float32 convolutions are wrong. */
    public static NumericsReport requireHealthy() {
        return report().requirePassed();
    }

    /** Forgets the verdict, for tests that change {@link Agreement#SIMULATE_PROPERTY}. */
    public static synchronized void reset() {
        report = null;
    }

    /**
     * Sets up the calling thread as DJL sets up only the thread that first loads the engine:
     * autograd off outside a GradientCollector. libtorch's grad mode is per thread and on in every
     * new thread, so without this a worker thread (a studio job, a Spark task, a data-parallel
     * worker) records an autograd graph for plain inference, {@link #collecting()} says true with
     * no collector open, and an inference-only network refuses to run. Call it first on every
     * thread of ours that runs the engine; a GradientCollector still turns recording on and off.
     */
    public static void engineThread() {
        JniUtils.setGradMode(false);
    }

    /** Whether a GradientCollector is open on this thread's engine (autograd recording on). */
    public static boolean collecting() {
        return JniUtils.isGradMode();
    }

    /**
     * The engine facts for provenance, read from the engine itself: DJL and PyTorch versions,
     * intra-op and inter-op threads, CPU, oneDNN cap and kernels, and the self-check's verdict.
     */
    public static ObjectNode describe() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        Engine engine = Engine.getEngine("PyTorch");
        n.put("djl", Engine.getDjlVersion());
        n.put("pytorch", engine.getVersion());
        n.put("threads", JniUtils.getNumThreads());
        n.put("interop_threads", JniUtils.getNumInteropThreads());
        n.put("cpu", OneDnnIsa.cpuModel());
        String cap = OneDnnIsa.cap();
        n.put("onednn_isa_cap", cap);
        n.put("onednn_kernels", OneDnnIsa.inferredKernels(cap, OneDnnIsa.cpuFlags()));
        NumericsReport r = reportIfRun();
        n.put("numerics_self_check", r == null ? "not run in this process" : r.summary());
        return n;
    }
}
