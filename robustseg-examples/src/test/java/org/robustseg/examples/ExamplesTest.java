package org.robustseg.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.metric.Saliency;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.synth.SynthesisResult;

/**
 * Runs every README example on tiny data: 8 training and 4 validation scenes, one epoch, attacks
 * and synthesis of a few steps, so that the whole class takes seconds. The figures are not meaningful at this size; the point is that the code the
 * README shows compiles, runs and returns results of the promised shape.
 */
class ExamplesTest {
    @TempDir
    static Path work;
    static TrainExample.Trained trained;

    @BeforeAll
    static void train() {
        trained = TrainExample.train(work, 8, 4, 1);
    }

    @Test
    void trainingWritesBothCheckpoints() {
        assertTrue(Files.isRegularFile(trained.standard()), trained.standard().toString());
        assertTrue(Files.isRegularFile(trained.robust()), trained.robust().toString());
        assertEquals("pgd-at", Checkpoint.open(trained.robust()).meta().path("provenance").path("config").path("recipe")
                .path("name").asText());
    }

    @Test
    void attackGivesACurveAndPerImageAccuracy() {
        AttackExample.Figures f = AttackExample.attack(trained.data(), trained.robust(), 2);
        assertEquals(3, f.curve().size());
        assertEquals(0f, f.curve().get(0).eps());
        assertEquals(f.clean().miou(), f.curve().get(0).metrics().miou(), 1e-9);
        assertEquals(4, f.seaAccuracy().length);
        for (float a : f.seaAccuracy()) {
            assertTrue(a >= 0 && a <= 1, "accuracy " + a);
        }
    }

    @Test
    void inpaintingLowersTheLossAndEditingRuns() {
        InpaintExample.Results r = InpaintExample.inpaint(trained.data(), trained.robust(), 5);
        assertTrue(r.inpainted().lossAfter()[0] <= r.inpainted().lossBefore()[0],
                r.inpainted().lossBefore()[0] + " -> " + r.inpainted().lossAfter()[0]);
        if (r.edited() != null) {
            assertTrue(Float.isFinite(r.edited().lossAfter()[0]));
        }
    }

    @Test
    void generationLowersTheLoss() {
        SynthesisResult r = GenerateExample.generate(trained.data(), trained.robust(), 5);
        assertEquals(1, r.count());
        assertTrue(r.lossAfter()[0] <= r.lossBefore()[0], r.lossBefore()[0] + " -> " + r.lossAfter()[0]);
    }

    @Test
    void saliencyMeasuresItsAlignment() {
        Saliency.Alignment a = SaliencyExample.saliency(trained.data(), trained.standard());
        assertNotNull(a);
        assertTrue(a.objectAreaShare() > 0 && a.objectAreaShare() < 1, "object area share " + a.objectAreaShare());
    }
}
