package org.robustseg.studio;

import org.robustseg.cli.Main;

/**
 * Entry point of {@code ./run studio}: started like the CLI (engine check, one error line,
 * safer-ISA restart) but shipped in its own module, so the CLI carries no web server.
 */
public final class StudioMain {
    private StudioMain() {}

    public static void main(String[] args) {
        Main.launch(StudioMain.class, new StudioCommand(), args);
    }
}
