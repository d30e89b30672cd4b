package org.robustseg.cli.options;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.robustseg.synth.Synthesis;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The shared options' defaults are the core presets' (one source of truth), and a command may pass its own batch default. */
public class OptionDefaultsTest {
    @Command(name = "inpaint-like")
    static final class Inpaint {
        @Mixin
        InpaintingOptions inpainting;

        @Mixin
        BatchSize batch = new BatchSize(32);
    }

    @Command(name = "generate-like")
    static final class Generate {
        @Mixin
        GenerationOptions generation;
    }

    @Test
    void inpaintingAndGenerationDefaultsAreTheCorePresets() {
        Inpaint i = new Inpaint();
        new CommandLine(i).parseArgs();
        assertEquals(InpaintingParams.DEFAULTS, i.inpainting.params());
        assertEquals(Synthesis.inpainting().settings(), i.inpainting.params().configure(0).settings());
        assertEquals(InpaintingOptions.DEFAULT_HOLE, i.inpainting.hole());
        assertEquals(32, i.batch.get());
        Generate g = new Generate();
        new CommandLine(g).parseArgs();
        assertEquals(GenerationParams.DEFAULTS, g.generation.params());
    }

    @Test
    void givenValuesOverrideTheDefaults() {
        Inpaint i = new Inpaint();
        new CommandLine(i).parseArgs("--steps", "7", "--fill", "blur", "--tv", "0.5", "--batch", "3");
        assertEquals(7, i.inpainting.params().steps());
        assertEquals("blur", i.inpainting.params().fill());
        assertEquals(0.5f, i.inpainting.params().tv());
        assertEquals(3, i.batch.get());
        Generate g = new Generate();
        new CommandLine(g).parseArgs("--steps", "9", "--seed-image", "uniform");
        assertEquals(9, g.generation.params().steps());
        assertEquals("uniform", g.generation.params().seedImage());
    }
}
