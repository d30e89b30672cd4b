package org.robustseg.optim;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;

class InputGradientTest {

    /**
     * For z = W·x_p + b per pixel p and the mean CE over the V valid pixels of an image,
     * ∂L/∂x_p = Wᵀ(softmax(z_p) − onehot(y_p)) / V, and 0 at ignore pixels.
     */
    @Test
    void gradientMatchesClosedFormForALinearModel() {
        int classes = 4, n = 2, h = 3, w = 5, hw = h * w;
        try (SegmentationModel model = PixelwiseNet.create(classes, 7); NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[][] wb = PixelwiseNet.weightAndBias(model);
            float[] weight = wb[0]; // C×3×1×1
            float[] bias = wb[1];
            NDArray x = StepTest.uniformIn(m, 9, new Shape(n, 3, h, w));
            int[] y = new int[n * hw];
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 6 == 1 ? 255 : (i * 7) % classes;
            }
            float[] g = InputGradient.of(model, x, Objectives.crossEntropy(), m.create(y, new Shape(n, h, w))).gradient().toFloatArray();
            float[] xv = x.toFloatArray();
            for (int s = 0; s < n; s++) {
                int valid = 0;
                for (int p = 0; p < hw; p++) {
                    valid += y[s * hw + p] == 255 ? 0 : 1;
                }
                for (int p = 0; p < hw; p++) {
                    int lab = y[s * hw + p];
                    double[] z = new double[classes];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        z[c] = bias == null ? 0 : bias[c];
                        for (int k = 0; k < 3; k++) {
                            z[c] += weight[c * 3 + k] * xv[(s * 3 + k) * hw + p];
                        }
                        max = Math.max(max, z[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        sum += Math.exp(z[c] - max);
                    }
                    for (int k = 0; k < 3; k++) {
                        double expected = 0;
                        if (lab != 255) {
                            for (int c = 0; c < classes; c++) {
                                expected += weight[c * 3 + k] * (Math.exp(z[c] - max) / sum - (c == lab ? 1 : 0)) / valid;
                            }
                        }
                        assertEquals(expected, g[(s * 3 + k) * hw + p], 1e-6, "sample " + s + " pixel " + p + " channel " + k);
                    }
                }
            }
        }
    }

    /**
     * The SEA-type normalised losses against their closed-form input gradients for z = W·x_p + b,
     * over the V valid pixels, on pixels still classified correctly (0 elsewhere):
     * masked-margin, norm detached as in Croce et al.'s code: ∂L/∂x_p = −(W_y − W_k*) / (‖z‖·V),
     * k* the best other class; masked-spherical, norm differentiated:
     * ∂L/∂x_p = −Σ_c (δ_cy/‖z‖ − z_y·z_c/‖z‖³)·W_c / V. A margin loss that differentiated
     * through the norm fails the first.
     */
    @Test
    void normalisedLossGradientsMatchClosedFormsForALinearModel() {
        int classes = 4, n = 2, h = 3, w = 6, hw = h * w;
        try (SegmentationModel model = PixelwiseNet.create(classes, 8); NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[][] wb = PixelwiseNet.weightAndBias(model);
            float[] weight = wb[0]; // C×3×1×1
            float[] bias = wb[1];
            NDArray x = StepTest.uniformIn(m, 10, new Shape(n, 3, h, w));
            float[] xv = x.toFloatArray();
            double[][] z = new double[n * hw][classes];
            int[] y = new int[n * hw];
            int correct = 0;
            for (int s = 0; s < n; s++) {
                for (int p = 0; p < hw; p++) {
                    int best = 0;
                    for (int c = 0; c < classes; c++) {
                        double v = bias == null ? 0 : bias[c];
                        for (int k = 0; k < 3; k++) {
                            v += weight[c * 3 + k] * xv[(s * 3 + k) * hw + p];
                        }
                        z[s * hw + p][c] = v;
                        best = v > z[s * hw + p][best] ? c : best;
                    }
                    // a third labelled as predicted, a third wrong, a sixth ignored
                    int i = s * hw + p;
                    y[i] = p % 6 == 5 ? 255 : p % 3 == 0 ? best : p % 3 == 1 ? best : (best + 1) % classes;
                    correct += y[i] == best ? 1 : 0;
                }
            }
            assertTrue(correct > 0 && correct < n * hw, "test needs correct and wrong pixels");
            NDArray target = m.create(y, new Shape(n, h, w));
            float[] gMargin = InputGradient.of(model, x, Objectives.maskedMargin(), target).gradient().toFloatArray();
            float[] gSphere = InputGradient.of(model, x, Objectives.maskedSpherical(), target).gradient().toFloatArray();
            for (int s = 0; s < n; s++) {
                int valid = 0;
                for (int p = 0; p < hw; p++) {
                    valid += y[s * hw + p] == 255 ? 0 : 1;
                }
                for (int p = 0; p < hw; p++) {
                    double[] zp = z[s * hw + p];
                    int lab = y[s * hw + p];
                    int best = 0;
                    double norm2 = 0;
                    for (int c = 0; c < classes; c++) {
                        best = zp[c] > zp[best] ? c : best;
                        norm2 += zp[c] * zp[c];
                    }
                    double norm = Math.sqrt(norm2);
                    boolean ok = lab != 255 && lab == best;
                    int other = -1;
                    for (int c = 0; c < classes; c++) {
                        if (c != lab && (other < 0 || zp[c] > zp[other])) {
                            other = c;
                        }
                    }
                    for (int k = 0; k < 3; k++) {
                        double margin = 0;
                        double sphere = 0;
                        if (ok) {
                            margin = -(weight[lab * 3 + k] - weight[other * 3 + k]) / (norm * valid);
                            for (int c = 0; c < classes; c++) {
                                double dz = (c == lab ? 1 / norm : 0) - zp[lab] * zp[c] / (norm2 * norm);
                                sphere += -dz * weight[c * 3 + k] / valid;
                            }
                        }
                        int i = (s * 3 + k) * hw + p;
                        assertEquals(margin, gMargin[i], 1e-6, "masked-margin sample " + s + " pixel " + p + " channel " + k);
                        assertEquals(sphere, gSphere[i], 1e-6, "masked-spherical sample " + s + " pixel " + p + " channel " + k);
                    }
                }
            }
        }
    }

    @Test
    void leavesTrainableFlagsAndRunningStatisticsAsTheyWere() {
        try (SegmentationModel model = TinySegNet.untrained(4); NDManager m = NDManager.newBaseManager("PyTorch")) {
            List<Boolean> before = flags(model);
            NDList data = TinySegNet.scenes(m, 4, 6);
            List<float[]> stats = runningStats(model);
            for (ForwardMode mode : ForwardMode.values()) {
                InputGradient.of(model, Objective.Context.of(data.get(0), data.get(0), null, data.get(1)), Objectives.crossEntropy(), mode);
                assertEquals(before, flags(model), mode + " changed which parameters are trainable");
                List<float[]> after = runningStats(model);
                for (int i = 0; i < stats.size(); i++) {
                    assertArrayEquals(stats.get(i), after.get(i), 0f, mode + " changed BatchNorm running statistics");
                }
            }
            // running stats stay frozen (the naive freezeParameters(false) would make them trainable)
            for (var p : model.block().getParameters()) {
                Parameter.Type t = p.getValue().getType();
                if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                    assertFalse(p.getValue().requiresGradient());
                }
            }
        }
    }

    @Test
    void trainingModeUsesBatchStatistics() {
        try (SegmentationModel model = TinySegNet.untrained(4); NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDList data = TinySegNet.scenes(m, 4, 6);
            Objective.Context at = Objective.Context.of(data.get(0), data.get(0), null, data.get(1));
            float[] eval = InputGradient.of(model, at, Objectives.crossEntropy(), ForwardMode.EVAL).gradient().toFloatArray();
            float[] train = InputGradient.of(model, at, Objectives.crossEntropy(), ForwardMode.TRAINING).gradient().toFloatArray();
            assertFalse(java.util.Arrays.equals(eval, train));
        }
    }

    private static List<Boolean> flags(SegmentationModel model) {
        List<Boolean> f = new ArrayList<>();
        model.block().getParameters().values().forEach(p -> f.add(p.requiresGradient()));
        return f;
    }

    private static List<float[]> runningStats(SegmentationModel model) {
        List<float[]> s = new ArrayList<>();
        for (Parameter p : model.block().getParameters().values()) {
            if (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR) {
                s.add(p.getArray().toFloatArray());
            }
        }
        return s;
    }

    @Test
    void nanLossNamesTheObjective() {
        try (SegmentationModel model = TinySegNet.untrained(4); NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDList data = TinySegNet.scenes(m, 2, 6);
            Objective boom = Objective.of("boom", (logits, target) -> logits.sum(new int[] {1, 2, 3}).mul(Float.NaN));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> InputOptimizer.of(new LinfStep(0.1f, 0.01f), boom).steps(2).run(model, data.get(0), data.get(1)));
            assertTrue(e.getMessage().contains("'boom'") && e.getMessage().contains("NaN"), e.getMessage());
            assertEquals(new Shape(2, 3, TinySegNet.SIZE, TinySegNet.SIZE), data.get(0).getShape());
        }
    }

    /** A NaN loss or a loss of the wrong shape stops the loop with a message naming the objective (PIT: removing the check survived). */
    @Test
    void aNaNOrMisshapenLossIsAnErrorNamingTheObjective() {
        try (SegmentationModel model = PixelwiseNet.create(3, 1); NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = StepTest.uniformIn(m, 3, new Shape(2, 3, 4, 4));
            NDArray y = m.zeros(new Shape(2, 4, 4), ai.djl.ndarray.types.DataType.INT32);
            Objective nan = Objective.of("nan-loss", (logits, target) -> logits.reshape(logits.getShape().get(0), -1).mean(new int[] {1}).mul(Float.NaN));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> InputGradient.of(model, x, nan, y));
            assertTrue(e.getMessage().contains("'nan-loss' produced NaN"), e.getMessage());
            Objective scalar = Objective.of("per-class-loss", (logits, target) -> logits.reshape(logits.getShape().get(0), logits.getShape().get(1), -1).mean(new int[] {2}));
            e = assertThrows(IllegalStateException.class, () -> InputGradient.of(model, x, scalar, y));
            assertTrue(e.getMessage().contains("'per-class-loss' returned shape"), e.getMessage());
        }
    }

    /** The input gradient is taken with the weights frozen: no weight gradient is left behind (PIT: removing the freeze survived). */
    @Test
    void theInputGradientLeavesNoWeightGradient() {
        try (SegmentationModel model = PixelwiseNet.create(3, 2); NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = StepTest.uniformIn(m, 4, new Shape(2, 3, 4, 4));
            NDArray y = m.ones(new Shape(2, 4, 4), ai.djl.ndarray.types.DataType.INT32);
            InputGradient.of(model, x, Objectives.crossEntropy(), y);
            for (Parameter p : model.block().getParameters().values()) {
                assertTrue(p.requiresGradient(), "unfrozen again: " + p.getName());
                for (float v : p.getArray().getGradient().toFloatArray()) {
                    assertEquals(0f, v, 0f, p.getName());
                }
            }
        }
    }
}
