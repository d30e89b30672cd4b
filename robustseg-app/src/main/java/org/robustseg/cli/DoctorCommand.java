package org.robustseg.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.robustseg.engine.EngineGuard;
import org.robustseg.engine.NumericsException;
import org.robustseg.engine.NumericsReport;
import org.robustseg.engine.OneDnnIsa;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.cli.options.BatchSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run doctor}: what this machine runs robustseg on (versions, CPU, threads, the oneDNN
 * cap and the kernels it selects) and whether float32 results agree with float64 here: the
 * engine's convolution battery, then each model at the input shape given. On disagreement the
 * CLI restarts under a safer oneDNN cap (see {@link SaferIsaRestart}), so the last doctor report
 * printed is the configuration robustseg will run with.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Engine, versions, CPU, oneDNN ISA, threads and the float32-vs-float64 self-check.")
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", defaultValue = "pspnet-lite,deeplabv3-lite",
            description = "Models to check at the given input shape (default ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--classes", defaultValue = "11", description = "Classes of the checked models (default ${DEFAULT-VALUE}).")
    int classes;

    @Mixin
    BatchSize batch;

    @Option(names = "--size", defaultValue = "64", description = "Input height and width of the model check (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--print-cap", description = "Print only the oneDNN cap that passed (for scripts: ./run test uses it).")
    boolean printCap;

    @Override
    public Integer call() {
        ObjectNode out = Json.object();
        out.putObject("software"); // filled in after the checks, so that it carries their verdict
        out.put("onednn_reports", printCap ? "not asked" : oneDnnReportedIsa());
        NumericsReport engine = EngineGuard.report();
        List<NumericsReport> reports = new ArrayList<>(List.of(engine));
        if (engine.passed()) {
            for (String name : models) {
                try (SegmentationModel m = SegmentationModel.create(name, classes, 0)) {
                    reports.add(m.checkNumerics(new Shape(batch.get(), 3, size, size)));
                }
            }
        }
        ArrayNode checks = out.putArray("checks");
        for (NumericsReport r : reports) {
            ObjectNode c = checks.addObject();
            c.put("subject", r.subject());
            c.put("passed", r.passed());
            c.put("summary", r.summary());
            c.put("worst_relative_error", r.worst().relativeError());
            c.put("tolerance", r.worst().tolerance());
        }
        NumericsReport failed = reports.stream().filter(r -> !r.passed()).findFirst().orElse(null);
        out.put("result", failed == null ? "ok" : "failed");
        out.set("software", Provenance.of("doctor").toJson().path("software"));
        if (printCap) {
            if (failed == null) {
                System.out.println(OneDnnIsa.cap());
            }
        } else if (json) {
            System.out.println(out.toPrettyString());
        } else {
            print(out, reports);
        }
        if (failed != null) {
            throw new NumericsException(failed); // the CLI restarts under a safer cap, or exits naming the fix
        }
        return 0;
    }

    private static void print(ObjectNode out, List<NumericsReport> reports) {
        ObjectNode sw = (ObjectNode) out.path("software");
        System.out.printf("robustseg    %s (commit %s)%n", Provenance.toolVersion(), System.getProperty("robustseg.commit", "unknown"));
        System.out.printf("java         %s, %s%n", sw.path("java").asText(), sw.path("os").asText());
        System.out.printf("engine       DJL %s, PyTorch %s (CPU), %d intra-op / %d inter-op threads%n", sw.path("djl").asText(),
                sw.path("pytorch").asText(), sw.path("threads").asInt(), sw.path("interop_threads").asInt());
        System.out.printf("cpu          %s, %d logical CPUs%n", sw.path("cpu").asText(), Runtime.getRuntime().availableProcessors());
        System.out.printf("oneDNN       cap %s%s; kernels %s (inferred from CPU flags), oneDNN says: %s%n",
                sw.path("onednn_isa_cap").asText(), OneDnnIsa.ALL.equals(sw.path("onednn_isa_cap").asText())
                        ? " (" + OneDnnIsa.VARIABLE + " not set)" : "",
                sw.path("onednn_kernels").asText(), out.path("onednn_reports").asText());
        for (NumericsReport r : reports) {
            System.out.printf(Locale.ROOT, "self-check   %-22s %s%n", r.subject(), r.summary());
        }
        System.out.printf("result       %s%n", out.path("result").asText().equals("ok")
                ? "ok: float32 results agree with float64 on this machine under cap " + OneDnnIsa.cap()
                : "FAILED under cap " + OneDnnIsa.cap());
    }

    /**
     * The ISA oneDNN itself reports (ONEDNN_VERBOSE=1 prints it with its first kernel), asked of a
     * child JVM so that the verbose output does not mix into this one's.
     */
    static String oneDnnReportedIsa() {
        ProcessBuilder pb = new ProcessBuilder(SaferIsaRestart.sameJvm(OneDnnProbe.class)).redirectErrorStream(true);
        pb.environment().put("ONEDNN_VERBOSE", "1");
        try {
            Process p = pb.start();
            String isa = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    int i = line.indexOf(",isa:");
                    if (isa == null && i >= 0) {
                        isa = line.substring(i + 5).trim();
                    }
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return isa == null ? "no isa line from ONEDNN_VERBOSE" : isa;
        } catch (IOException e) {
            return "probe failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "probe interrupted";
        }
    }

    /** One small convolution, run in a child JVM with ONEDNN_VERBOSE=1 so that oneDNN names its ISA. */
    static final class OneDnnProbe {
        public static void main(String[] args) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                // big enough that libtorch hands it to oneDNN (it keeps tiny convolutions for itself)
                NDArray x = m.ones(new Shape(4, 12, 16, 16));
                NDArray w = m.ones(new Shape(12, 12, 3, 3));
                Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow().sum().getFloat();
            }
        }
    }
}
