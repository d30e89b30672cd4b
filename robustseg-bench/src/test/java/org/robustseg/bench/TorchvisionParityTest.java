package org.robustseg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.Objectives;
import org.robustseg.provenance.Checkpoint;

/**
 * A network nobody here wrote: torchvision's LR-ASPP MobileNetV3 (untrained, seeded, BatchNorm
 * statistics moved off 0/1), scripted by Debian's PyTorch under an ImageNet-normalisation card
 * with a dict output ({@code bench/reference/torchvision_models.py fixture}), imported through
 * {@link Checkpoint}: robustseg's logits and pixel-CE input gradients equal PyTorch's on the same
 * images, ignore pixels included: logits to 1e-4, gradients to a relative 1e-4 (or twice PyTorch's own
 * float32 error against float64, where that is larger). {@code ./run interop} runs the same comparison
 * on trained models, with PGD on top.
 */
class TorchvisionParityTest {
    static final Path SCRIPT = Path.of("..", "bench", "reference", "torchvision_models.py");

    @TempDir
    Path tmp;

    @Test
    void aScriptedTorchvisionModelGivesPyTorchsLogitsAndInputGradients() throws Exception {
        Reference.requireTorchvision();
        Process p = new ProcessBuilder(Reference.PYTHON.toString(), SCRIPT.toString(), "fixture", "--out", tmp.toString(),
                "--model", "lraspp", "--size", "64", "--images", "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "torchvision_models.py fixture failed: " + out);
        try (SegmentationModel model = Checkpoint.load(tmp.resolve("lraspp.card.json"));
             NDManager m = model.manager().newSubManager();
             InputStream in = Files.newInputStream(tmp.resolve("expected.npz"))) {
            NDList expected = NDList.decode(m, in);
            NDArray x = expected.get("images");
            NDArray y = expected.get("labels").toType(DataType.INT64, false);
            float logitDiff = model.logits(x).sub(expected.get("logits")).abs().max().getFloat();
            assertTrue(logitDiff <= 1e-4, "max |logit difference| " + logitDiff);

            InputGradient g = InputGradient.of(model, x, Objectives.crossEntropy(), y);
            float lossDiff = g.lossPerSample().sub(expected.get("loss")).abs().max().getFloat();
            assertTrue(lossDiff <= 1e-5, "max |loss difference| " + lossDiff);
            NDArray theirs = expected.get("gradient");
            NDArray exact = expected.get("gradient64").toType(DataType.FLOAT32, false);
            boolean strict = false;
            for (int i = 0; i < 2; i++) {
                float norm = theirs.get(i).norm().getFloat();
                assertTrue(norm > 0, "PyTorch's gradient of image " + i + " is not zero");
                // 1e-4, unless PyTorch's own float32 gradient is further than that from float64 (an input near
                // a ReLU/hardswish kink): then robustseg may differ from it by twice that, as two float32 results may
                float ownError = theirs.get(i).sub(exact.get(i)).norm().getFloat() / exact.get(i).norm().getFloat();
                float tolerance = Math.max(1e-4f, 2 * ownError);
                strict |= tolerance == 1e-4f;
                float rel = g.gradient().get(i).sub(theirs.get(i)).norm().getFloat() / norm;
                assertTrue(rel <= tolerance, "image " + i + ": relative input-gradient difference " + rel + " (PyTorch float32 vs "
                        + "float64: " + ownError + ")");
            }
            assertTrue(strict, "at least one image is checked at 1e-4");
        }
    }
}
