package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.robustseg.model.FlopCounter;
import org.robustseg.model.ModelZoo;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Json;

/**
 * The PyTorch reference is the same network as the Java zoo: for every registered preset the
 * parameter count and the convolution FLOPs of a 64×64 forward pass are equal on both sides.
 */
public class ReferenceParityTest {
    @Test
    void everyPresetHasTheSameParameterAndFlopCountsInThePyTorchReference() throws Exception {
        Reference.require();
        Process p = new ProcessBuilder(Reference.PYTHON.toString(), Reference.SCRIPT.toString(), "params")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "reference.py params failed: " + out);
        Set<String> seen = new HashSet<>();
        for (JsonNode row : Json.MAPPER.readTree(out)) {
            String name = row.path("model").asText();
            seen.add(name);
            try (SegmentationModel m = SegmentationModel.create(name, 11, 0)) {
                assertEquals(m.parameterCount(), row.path("parameters").asLong(), name + " parameters");
            }
            assertEquals(FlopCounter.count(name, 11, new Shape(1, 3, 64, 64)).inference(), row.path("forward_flops_64").asLong(),
                    name + " forward FLOPs at 64x64");
        }
        Set<String> presets = new HashSet<>(ModelZoo.names());
        presets.retainAll(Set.of("pspnet-lite", "deeplabv3-lite", "pspnet-resnet50", "deeplabv3-resnet50"));
        assertEquals(presets, seen, "the reference covers every preset");
    }
}
