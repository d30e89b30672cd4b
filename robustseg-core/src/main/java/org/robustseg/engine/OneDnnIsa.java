package org.robustseg.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The instruction-set cap of oneDNN, the library behind libtorch's CPU convolutions. oneDNN
 * reads {@code ONEDNN_MAX_CPU_ISA} (older name {@code DNNL_MAX_CPU_ISA}) once, before its first
 * kernel, so a cap can only be changed by starting a new process with the variable set.
 *
 * <p>Why a cap at all: oneDNN 3.7.1's direct JIT convolutions were seen to compute wrong float32
 * results on an AMD Zen 5 VM that hides its cache sizes (wrong under the avx512_core and the avx2
 * kernels for different shapes, right under SSE41). Lowering the cap selects other kernels.
 */
public final class OneDnnIsa {
    /** The environment variable oneDNN reads; {@link #LEGACY_VARIABLE} is its older name. */
    public static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";
    public static final String LEGACY_VARIABLE = "DNNL_MAX_CPU_ISA";
    /** oneDNN's name for "no cap", the default. */
    public static final String ALL = "ALL";

    private OneDnnIsa() {}

    /** The cap in effect for this process, upper case; {@link #ALL} when none is set. */
    public static String cap() {
        String v = System.getenv(VARIABLE);
        if (v == null || v.isBlank()) {
            v = System.getenv(LEGACY_VARIABLE);
        }
        return v == null || v.isBlank() ? ALL : v.trim().toUpperCase(Locale.ROOT);
    }

    /**
     * The caps to try, safest last, for a CPU with {@code cpuFlags} (as in /proc/cpuinfo). A cap
     * that selects the same kernels as the one before it is left out: on a CPU without AVX-512,
     * "AVX2" is what "ALL" already runs, so the ladder goes straight to SSE41.
     */
    public static List<String> ladder(Set<String> cpuFlags) {
        List<String> caps = new ArrayList<>(List.of(ALL));
        if (hasAvx512Core(cpuFlags) && cpuFlags.contains("avx2")) {
            caps.add("AVX2");
        }
        caps.add("SSE41");
        return caps;
    }

    /** The next safer cap after {@code cap} on this CPU, or null when {@code cap} is the safest. */
    public static String nextSafer(String cap, Set<String> cpuFlags) {
        List<String> caps = ladder(cpuFlags);
        int i = caps.indexOf(cap.toUpperCase(Locale.ROOT));
        if (i < 0) {
            // a cap the ladder does not know (e.g. AVX512_CORE set by the user): continue below AVX-512
            return "SSE41".equals(cap) ? null : (caps.contains("AVX2") && !cap.startsWith("AVX2") ? "AVX2" : "SSE41");
        }
        return i + 1 < caps.size() ? caps.get(i + 1) : null;
    }

    /**
     * The instruction set oneDNN's kernels use, inferred from the CPU flags and the cap (oneDNN
     * itself says so with ONEDNN_VERBOSE=1, which {@code robustseg doctor} also reads).
     */
    public static String inferredKernels(String cap, Set<String> cpuFlags) {
        String best;
        if (hasAvx512Core(cpuFlags)) {
            best = cpuFlags.contains("avx512_bf16") ? "avx512_core_bf16"
                    : cpuFlags.contains("avx512_vnni") ? "avx512_core_vnni" : "avx512_core";
        } else if (cpuFlags.contains("avx2")) {
            best = "avx2";
        } else if (cpuFlags.contains("avx")) {
            best = "avx";
        } else {
            best = "sse41";
        }
        return switch (cap) {
            case "SSE41" -> "sse41";
            case "AVX" -> best.equals("sse41") ? best : "avx";
            case "AVX2" -> best.startsWith("avx512") || best.equals("avx2") ? "avx2" : best;
            default -> best;
        };
    }

    private static boolean hasAvx512Core(Set<String> f) {
        return f.contains("avx512f") && f.contains("avx512bw") && f.contains("avx512vl") && f.contains("avx512dq");
    }

    /** The CPU flags of the first processor in /proc/cpuinfo (empty where it cannot be read). */
    public static Set<String> cpuFlags() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Stream.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** The CPU's model name from /proc/cpuinfo, with family and model numbers. */
    public static String cpuModel() {
        List<String> head = cpuInfoHead();
        return head.isEmpty() ? "unknown"
                : field(head, "model name") + " (family " + field(head, "cpu family") + ", model " + field(head, "model") + ")";
    }

    /** The CPU's model name alone, as /proc/cpuinfo gives it ("unknown" where it cannot be read). */
    public static String cpuModelName() {
        List<String> head = cpuInfoHead();
        String name = field(head, "model name");
        return head.isEmpty() || name.equals("?") ? "unknown" : name;
    }

    /** The first processor's lines of /proc/cpuinfo (empty where it cannot be read). */
    private static List<String> cpuInfoHead() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.limit(40).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String field(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key) && l.substring(0, l.indexOf(':')).trim().equals(key))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    }
}
