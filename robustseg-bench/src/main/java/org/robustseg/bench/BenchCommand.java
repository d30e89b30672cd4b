package org.robustseg.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.robustseg.interop.ImportedModels;
import org.robustseg.model.FlopCounter;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run bench}: robustseg against the same networks in PyTorch, in one invocation. For each
 * model and operation both sides warm up, then take turns in rounds (Java, PyTorch, Java, …) so
 * that drifts of the machine hit both alike; medians, spreads, the Java/PyTorch ratio and the
 * achieved GFLOP/s next to the machine's dense-matmul peak are printed and written as JSON.
 * Benchmarks print figures; they never pass or fail on time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Speed against the PyTorch reference (ratios, GFLOP/s vs peak) and the memory/cost benchmarks.",
        subcommands = {RecipeStepBench.class, MemorySoakBench.class, CostModelBench.class, StudioLoadBench.class, ParityDump.class})
public final class BenchCommand implements Callable<Integer> {
    /**
     * A benchmarked configuration: a network at its typical batch and image size, and the default
     * repetitions (full / quick). ResNet-50 takes fewer: one of its PGD-AT steps is ~30 s on 2 cores.
     */
    /**
     * One benchmarked model: a zoo architecture by name, or an imported TorchScript network
     * ({@code importedFrom}: its card or file; {@code model} is then its card's name).
     */
    record Setting(String model, int batch, int size, int repeats, int quickRepeats, ImportedModels.Source importedFrom) {
        Setting(String model, int batch, int size, int repeats, int quickRepeats) {
            this(model, batch, size, repeats, quickRepeats, null);
        }

        /** An imported network at the lite setting's batch and size (its card's size when it fixes one). */
        static Setting imported(ImportedModels.Source source) {
            int[] size = source.parsed().input().size();
            return new Setting(source.label(), 16, size != null ? size[0] : 64, 20, 5, source);
        }
    }

    static final List<Setting> SETTINGS = List.of(new Setting("pspnet-lite", 16, 64, 20, 5),
            new Setting("pspnet-resnet50", 2, 256, 5, 2));

    @Option(names = "--quick", description = "5 repetitions in 1 round and 1 warm-up (a smoke run; figures are noisier).")
    boolean quick;

    @Option(names = "--models", split = ",", description = "Models to run (default: pspnet-lite,pspnet-resnet50); also an "
            + "imported TorchScript network (its model card, a folder holding card.json or the .pt beside its card).")
    List<String> models;

    @Option(names = "--operations", split = ",", defaultValue = "forward,attack-step,train-step,pgd-at-step",
            description = "Operations (default ${DEFAULT-VALUE}).")
    List<String> operations;

    @Option(names = "--repeats", description = "Timed repetitions per side and operation (default pspnet-lite 20, "
            + "pspnet-resnet50 5; --quick 5 and 2).")
    Integer repeats;

    @Option(names = "--rounds", description = "Turns each side takes per operation (default 4; --quick 1).")
    Integer rounds;

    @Option(names = "--warmup", description = "Untimed runs per side before timing (default 3; --quick 1).")
    Integer warmup;

    @Option(names = "--out", defaultValue = "bench-results.json", description = "Results file (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--no-reference", description = "Time the Java side only.")
    boolean noReference;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Interpreter with Debian's python3-torch (default ${DEFAULT-VALUE}).")
    Path python;

    @Option(names = "--reference", defaultValue = "bench/reference/reference.py",
            description = "The PyTorch reference script (default ${DEFAULT-VALUE}).")
    Path reference;

    @Option(names = "--matmul", defaultValue = "2048", description = "Size of the square fp32 matmul that measures peak (default ${DEFAULT-VALUE}).")
    int matmulSize;

    @Override
    public Integer call() throws Exception {
        int turns = Math.max(1, rounds != null ? rounds : quick ? 1 : 4);
        int warm = warmup != null ? warmup : quick ? 1 : 3;
        if ((repeats != null && repeats < 1) || warm < 0) {
            throw new IllegalArgumentException("--repeats must be at least 1 and --warmup at least 0");
        }
        List<Setting> settings = settings();
        operations.forEach(BenchOperations::checkName);
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        try (PyTorchReference ref = noReference ? null : PyTorchReference.start(python, reference, threads)) {
            ObjectNode env = environment(ref, threads);
            System.out.printf("robustseg bench: %d intra-op threads per side, up to %d rounds, %d warm-up, load average %.2f%n",
                    threads, turns, warm, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.printf("  Java:    DJL 0.36.0, libtorch %s (%s)%n", Engine.getEngine("PyTorch").getVersion(),
                    env.path("java").path("blas").asText());
            if (ref != null) {
                System.out.printf("  PyTorch: torch %s, BLAS %s, oneDNN %s%n", env.path("pytorch").path("torch").asText(),
                        env.path("pytorch").path("blas_library_loaded"), env.path("pytorch").path("onednn_available").asBoolean()
                                ? "available" : "not available");
            }
            Peak peak = peak(ref, warm);
            System.out.printf("peak (fp32 %dx%d matmul): Java %.1f GFLOP/s, PyTorch %s GFLOP/s -> machine peak %.1f GFLOP/s%n",
                    matmulSize, matmulSize, peak.java(), ref == null ? "-" : String.format("%.1f", peak.pytorch()), peak.best());
            ArrayNode results = Json.MAPPER.createArrayNode();
            ObjectNode provenance = Provenance.of("bench").toJson();
            provenance.set("environment", env);
            for (Setting s : settings) {
                int reps = repeats != null ? repeats : quick ? s.quickRepeats() : s.repeats();
                runSetting(s, ref, reps, Math.min(reps, turns), Math.min(warm, reps), peak, provenance, results);
            }
            Json.write(out, results);
            System.out.println("results: " + out);
        }
        return 0;
    }

    private List<Setting> settings() {
        if (models == null) {
            return SETTINGS;
        }
        List<Setting> chosen = new ArrayList<>();
        for (String m : models) {
            Optional<Setting> zoo = SETTINGS.stream().filter(s -> s.model().equals(m)).findFirst();
            if (zoo.isPresent()) {
                chosen.add(zoo.get());
                continue;
            }
            ImportedModels.Source source = ImportedModels.locate(Path.of(m)).orElseThrow(() -> new IllegalArgumentException(
                    "--models: no bench setting for '" + m + "' (known: pspnet-lite, pspnet-resnet50, or an imported network's card)"));
            if (source.format() != ImportedModels.Format.TORCHSCRIPT) {
                throw new IllegalArgumentException("--models " + m + ": an ONNX model has no gradients to time (attack and training steps)");
            }
            chosen.add(Setting.imported(source));
        }
        return chosen;
    }

    /** Dense-matmul GFLOP/s of both engines; the machine's peak is the better of the two. */
    record Peak(double java, double pytorch) {
        double best() {
            return Double.isNaN(pytorch) ? java : Math.max(java, pytorch);
        }
    }

    private Peak peak(PyTorchReference ref, int warm) throws IOException {
        double flops = 2.0 * matmulSize * matmulSize * matmulSize;
        // Peak = the fastest repetition: what the machine can do, not what it usually does.
        double java = flops / Arrays.stream(BenchOperations.matmulMs(matmulSize, 10 + warm)).min().orElseThrow() / 1e6;
        double py = Double.NaN;
        if (ref != null) {
            JsonNode r = ref.call(Json.object().put("cmd", "matmul").put("n", matmulSize).put("reps", 10 + warm));
            py = flops / Arrays.stream(doubles(r.path("ms"))).min().orElseThrow() / 1e6;
        }
        return new Peak(java, py);
    }

    private void runSetting(Setting s, PyTorchReference ref, int reps, int turns, int warm, Peak peak, ObjectNode provenance,
                            ArrayNode results) throws IOException {
        // an imported network's layers are not known to robustseg's FLOP counter: its rows give times, no GFLOP/s
        FlopCounter.Flops flops = s.importedFrom() == null
                ? FlopCounter.count(s.model(), 11, new Shape(s.batch(), 3, s.size(), s.size())) : null;
        printSettingHeader(s, flops, reps, turns);
        if (ref != null) {
            ObjectNode setup = Json.object().put("cmd", "setup").put("model", s.model()).put("batch", s.batch()).put("size", s.size());
            if (s.importedFrom() != null) {
                setup.put("torchscript", s.importedFrom().network().toAbsolutePath().toString());
                setup.set("card", s.importedFrom().parsed().toJson());
            } else {
                checkReferenceFlops(s, ref, flops);
            }
            ref.call(setup);
        }
        System.out.printf("  %-12s %10s %17s %12s %17s %7s %16s %8s%n", "operation", "Java ms", "(p10-p90)", "PyTorch ms",
                "(p10-p90)", "ratio", "GFLOP/s J / P", "of peak");
        double trainStepMs = Double.NaN; // for the loader line: NaN when train-step is not benchmarked
        try (BenchOperations ops = s.importedFrom() == null ? new BenchOperations(s.model(), s.batch(), s.size())
                : BenchOperations.imported(s.importedFrom(), s.batch(), s.size())) {
            for (String name : operations) {
                double[][] samples = alternate(ops.operation(name), name, ref, reps, turns, warm);
                Row row = new Row(name, BenchOperations.summary(samples[0]), ref == null ? null : BenchOperations.summary(samples[1]),
                        flops == null ? 0 : operationFlops(name, flops), peak.best());
                if (name.equals(BenchOperations.TRAIN_STEP)) {
                    trainStepMs = row.java()[0];
                }
                row.print();
                ObjectNode e = row.json(results.addObject(), s);
                e.put("repetitions", reps);
                e.put("rounds", turns);
                e.set("java_samples_ms", Json.toTree(samples[0]));
                if (row.pytorch() != null) {
                    e.set("pytorch_samples_ms", Json.toTree(samples[1]));
                }
                e.set("provenance", provenance);
            }
            if (s.model().equals("pspnet-lite")) {
                loaderLine(s, trainStepMs, results);
            }
        }
    }

    private static void printSettingHeader(Setting s, FlopCounter.Flops flops, int reps, int turns) {
        if (flops == null) {
            System.out.printf("%nimported %s (%s), batch %d, %dx%d: %d repetitions in %d rounds per side%n", s.model(),
                    s.importedFrom().network(), s.batch(), s.size(), s.size(), reps, turns);
            return;
        }
        System.out.printf("%n%s, batch %d, %dx%d: %.2f GFLOP per inference forward, %.2f per training forward (convolutions); "
                + "%d repetitions in %d rounds per side%n", s.model(), s.batch(), s.size(), s.size(), flops.inference() / 1e9,
                flops.training() / 1e9, reps, turns);
    }

    /** The two sides must time the same network: a FLOP count that differs means the architectures do. */
    private static void checkReferenceFlops(Setting s, PyTorchReference ref, FlopCounter.Flops flops) throws IOException {
        JsonNode pf = ref.call(Json.object().put("cmd", "flops").put("model", s.model()).put("batch", s.batch()).put("size", s.size()));
        if (pf.path("forward").asLong() != flops.inference() || pf.path("training_forward").asLong() != flops.training()) {
            System.out.printf("  WARNING: the reference counts %d / %d FLOPs: the architectures differ%n",
                    pf.path("forward").asLong(), pf.path("training_forward").asLong());
        }
    }

    /**
     * One operation's figures: Java's and (when the reference ran) PyTorch's median, p10 and p90
     * in ms, the operation's FLOPs and the machine's peak GFLOP/s; printed as a table row and
     * written as a JSON record.
     */
    private record Row(String name, double[] java, double[] pytorch, long flops, double peak) {
        /** NaN when the FLOPs are unknown (an imported network). */
        double javaGflops() {
            return flops == 0 ? Double.NaN : flops / java[0] / 1e6;
        }

        double pytorchGflops() {
            return pytorch == null || flops == 0 ? Double.NaN : flops / pytorch[0] / 1e6;
        }

        double ratio() {
            return pytorch == null ? Double.NaN : java[0] / pytorch[0];
        }

        void print() {
            System.out.printf("  %-12s %10.1f %17s %12s %17s %7s %7s / %-6s %7s%n", name, java[0], spread(java),
                    pytorch == null ? "-" : String.format("%.1f", pytorch[0]), pytorch == null ? "" : spread(pytorch),
                    pytorch == null ? "-" : String.format("%.3f", ratio()), orDash("%.1f", javaGflops()),
                    orDash("%.1f", pytorchGflops()), orDash("%.0f%%", 100 * javaGflops() / peak));
        }

        ObjectNode json(ObjectNode e, Setting s) {
            e.put("model", s.model());
            e.put("operation", name);
            e.put("batch", s.batch());
            e.put("image_size", s.size());
            e.put("java_ms", java[0]);
            e.put("java_p10_ms", java[1]);
            e.put("java_p90_ms", java[2]);
            putOrNull(e, "pytorch_ms", pytorch == null ? Double.NaN : pytorch[0]);
            putOrNull(e, "pytorch_p10_ms", pytorch == null ? Double.NaN : pytorch[1]);
            putOrNull(e, "pytorch_p90_ms", pytorch == null ? Double.NaN : pytorch[2]);
            putOrNull(e, "ratio", ratio());
            if (flops > 0) {
                e.put("flops", flops);
            } else {
                e.putNull("flops");
            }
            putOrNull(e, "gflops", javaGflops());
            putOrNull(e, "pytorch_gflops", pytorchGflops());
            e.put("peak_gflops", peak);
            putOrNull(e, "java_peak_fraction", javaGflops() / peak);
            putOrNull(e, "pytorch_peak_fraction", pytorchGflops() / peak);
            return e;
        }
    }

    /** Java and PyTorch samples: warm-up on both sides, then {@code turns} alternating chunks. */
    private static double[][] alternate(Runnable java, String name, PyTorchReference ref, int reps, int turns, int warm)
            throws IOException {
        BenchOperations.timeMs(java, warm);
        if (ref != null && warm > 0) {
            ref.call(Json.object().put("cmd", "time").put("op", name).put("reps", warm));
        }
        double[] j = new double[0];
        double[] p = new double[0];
        for (int t = 0; t < turns; t++) {
            int chunk = reps / turns + (t < reps % turns ? 1 : 0);
            j = concat(j, BenchOperations.timeMs(java, chunk));
            if (ref != null) {
                p = concat(p, doubles(ref.call(Json.object().put("cmd", "time").put("op", name).put("reps", chunk)).path("ms")));
            }
        }
        return new double[][] {j, p};
    }

    /**
     * Nominal FLOPs of an operation in forward-pass units: backward ≈ 2 forwards (activations and
     * weights), an input gradient with frozen weights ≈ 1 forward back; PGD-AT crafts 3 steps.
     */
    static long operationFlops(String operation, FlopCounter.Flops f) {
        return switch (operation) {
            case BenchOperations.FORWARD -> f.inference();
            case BenchOperations.ATTACK_STEP -> f.attackStep();
            case BenchOperations.TRAIN_STEP -> f.trainingStep();
            case BenchOperations.PGD_AT_STEP -> 3 * f.attackStep() + f.trainingStep();
            default -> throw new IllegalArgumentException("unknown operation " + operation);
        };
    }

    /** How long the loader thread takes to decode, augment and assemble one batch, next to a training step. */
    private static void loaderLine(Setting s, double step, ArrayNode results) throws IOException {
        double[] loader = LoaderTiming.msPerBatch(s.batch(), 20);
        System.out.printf("  data loading (FashionScenes, augmentation, batch %d) on the loader thread: %.2f ms per batch "
                + "(p90 %.2f) = %.1f%% of a training step; %d batches are prefetched while the step computes%n",
                s.batch(), loader[0], loader[2], 100 * loader[0] / step, LoaderTiming.PREFETCH);
        ObjectNode e = results.addObject();
        e.put("model", s.model());
        e.put("operation", "data-loading");
        e.put("batch", s.batch());
        e.put("image_size", s.size());
        e.put("java_ms", loader[0]);
        e.put("java_p90_ms", loader[2]);
        e.put("train_step_ms", step);
        e.put("share_of_train_step", loader[0] / step);
    }

    private static ObjectNode environment(PyTorchReference ref, int threads) throws IOException {
        ObjectNode env = Json.object();
        ObjectNode java = env.putObject("java");
        java.put("djl", "0.36.0");
        java.put("libtorch", Engine.getEngine("PyTorch").getVersion());
        List<String> libraries = NativeLibraries.loaded();
        java.put("blas", NativeLibraries.describe(libraries));
        java.set("native_libraries", Json.toTree(libraries));
        java.put("threads", threads);
        if (ref != null) {
            env.set("pytorch", ref.call(Json.object().put("cmd", "info")));
        }
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("cpu", NativeLibraries.cpuModel());
        return env;
    }

    private static String orDash(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(format, v);
    }

    private static String spread(double[] s) {
        return String.format("(%.1f-%.1f)", s[1], s[2]);
    }

    private static void putOrNull(ObjectNode e, String key, double v) {
        if (Double.isNaN(v)) {
            e.putNull(key);
        } else {
            e.put(key, v);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
