package org.robustseg.bench;

import org.robustseg.cli.Main;

/**
 * Entry point of {@code ./run bench}: the benchmark commands, started like the CLI (same engine
 * check, error line and safer-ISA restart) but shipped in their own module, so the CLI carries no
 * {@code /proc} or glibc introspection.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        Main.launch(BenchMain.class, new BenchCommand(), args);
    }
}
