package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.robustseg.interop.ModelExport;
import org.robustseg.interop.Safetensors;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Json;

/**
 * The safetensors export names every weight as the PyTorch twin in reference.py does
 * ({@code model.PyTorchNames}): the twin loads it with {@code strict=True} and gives the same
 * logits as robustseg, BatchNorm running statistics included.
 */
class ExportParityTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"pspnet-lite", "deeplabv3-lite"})
    void theTwinLoadsTheExportAndGivesTheSameLogits(String name) throws Exception {
        Reference.require();
        try (SegmentationModel model = SegmentationModel.create(name, 11, 3); NDManager m = model.manager().newSubManager()) {
            // a training-mode forward moves the BatchNorm running statistics away from 0 and 1
            model.forward(m.randomUniform(0, 1, new Shape(4, 3, 64, 64)), true);
            // not square, and no feature map smaller than PSPNet's 6 bins: DJL's resize is antialiased, so the zoo
            // agrees with its twin when enlarging only (a 48x40 image's 6x5 map would be shrunk by the 6-bin branch)
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 64, 56));
            List<String> classes = new ArrayList<>();
            for (int c = 0; c < 11; c++) {
                classes.add("class " + c);
            }
            ModelExport.safetensors(model, classes, tmp, Json.object().put("test", name));
            Safetensors.write(tmp.resolve("x.safetensors"), Map.of("x", x), Map.of());
            Process p = new ProcessBuilder(Reference.PYTHON.toString(), Reference.SCRIPT.toString(), "export-check", tmp.toString(),
                    tmp.resolve("x.safetensors").toString(), tmp.resolve("logits.safetensors").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "reference.py export-check failed: " + out);
            NDArray theirs = Safetensors.read(tmp.resolve("logits.safetensors"), m).get("logits");
            NDArray ours = model.logits(x);
            assertEquals(ours.getShape(), theirs.getShape());
            float diff = ours.sub(theirs).abs().max().getFloat();
            assertTrue(diff <= 1e-4, name + ": max |logit difference| " + diff);
        }
    }
}
