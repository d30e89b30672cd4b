package org.robustseg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process (native + Java), read from /proc on Linux. */
public final class ResidentMemory {
    private ResidentMemory() {}

    /** Resident memory in MiB, or -1 where /proc is not available. */
    static double mib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
