package org.robustseg.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What native code this process runs on, for the bench's provenance: the libraries mapped into
 * memory (libtorch, its OpenMP, any BLAS) and the BLAS linked into libtorch. DJL's
 * pytorch-native-cpu libtorch links Intel MKL statically and carries oneDNN; neither shows up as
 * a separate library, so libtorch is searched for MKL's version banner.
 */
public final class NativeLibraries {
    private static final byte[] MKL_BANNER = "Intel(R) oneAPI Math Kernel Library".getBytes(StandardCharsets.US_ASCII);

    private NativeLibraries() {}

    /** Shared libraries of this process whose names mention torch, BLAS, MKL, oneDNN or OpenMP. */
    static List<String> loaded() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.contains(".so") && p.toLowerCase().matches(".*(torch|blas|mkl|dnnl|gomp|omp).*"))
                    .distinct().sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** One line: which BLAS libtorch uses, as far as the binary tells; {@code loaded} as from {@link #loaded()}. */
    static String describe(List<String> loaded) {
        Path torch = loaded.stream().filter(p -> p.endsWith("libtorch_cpu.so")).map(Path::of).findFirst().orElse(null);
        if (torch == null) {
            return "libtorch_cpu.so not mapped";
        }
        return contains(torch, MKL_BANNER) ? "Intel MKL (statically linked in libtorch_cpu.so), oneDNN built in"
                : "no MKL banner in libtorch_cpu.so";
    }

    static String cpuModel() {
        return org.robustseg.engine.OneDnnIsa.cpuModelName();
    }

    private static boolean contains(Path file, byte[] needle) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int carry = 0;
            int n;
            while ((n = in.read(buf, carry, buf.length - carry)) > 0) {
                int len = carry + n;
                if (indexOf(buf, len, needle) >= 0) {
                    return true;
                }
                carry = Math.min(needle.length - 1, len);
                System.arraycopy(buf, len - carry, buf, 0, carry);
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] hay, int len, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= len; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
