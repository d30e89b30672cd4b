package org.robustseg.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The input gradient that attacks and synthesis rely on, checked against central finite
 * differences in float64, with BatchNorm in eval statistics (the model as deployed).
 */
class GradientCheckTest {
    private static final Shape INPUT = new Shape(1, 3, 32, 32);
    private static final Shape LOGITS = new Shape(1, 11, 32, 32);
    private static final double H = 1e-6;
    private static final int COORDINATES = 20;

    @Test
    void inputGradientOfPspnetLiteMatchesFiniteDifferences() {
        Random rng = new Random(11);
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 5);
                NDManager m = model.manager().newSubManager()) {
            model.cast(DataType.FLOAT64);
            // a few training forwards give BatchNorm non-trivial running statistics to be used in eval
            for (int i = 0; i < 3; i++) {
                model.forward(m.randomUniform(0, 1, new Shape(4, 3, 32, 32), DataType.FLOAT64), true);
            }
            assertTrue(runningMeanAbsSum(model) > 0, "training forwards should update BN running means");

            double[] x0 = uniform(rng, (int) INPUT.size());
            NDArray weights = m.create(gaussian(rng, (int) LOGITS.size()), LOGITS);

            model.block().freezeParameters(true);
            NDArray x = m.create(x0, INPUT);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(model.logits(x).mul(weights).sum());
            }
            double[] grad = x.getGradient().toDoubleArray();
            model.block().freezeParameters(false,
                    p -> p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR);

            double worst = 0;
            for (int k = 0; k < COORDINATES; k++) {
                int i = rng.nextInt(x0.length);
                double[] plus = x0.clone();
                double[] minus = x0.clone();
                plus[i] += H;
                minus[i] -= H;
                double fd = (objective(model, m, plus, weights) - objective(model, m, minus, weights)) / (2 * H);
                double rel = Math.abs(grad[i] - fd) / Math.max(Math.max(Math.abs(grad[i]), Math.abs(fd)), 1e-8);
                worst = Math.max(worst, rel);
                assertTrue(rel < 1e-5, "coordinate " + i + ": gradient " + grad[i] + " vs finite difference " + fd);
            }
            System.out.printf("pspnet-lite float64 gradient check: worst relative error %.2e over %d coordinates%n", worst, COORDINATES);

            // unfreezing must restore trainable weights but leave BN statistics out of the gradient
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                Parameter.Type t = p.getValue().getType();
                boolean statistic = t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR;
                assertEquals(!statistic, p.getValue().requiresGradient(), p.getKey());
                assertEquals(DataType.FLOAT64, p.getValue().getArray().getDataType(), p.getKey());
            }
        }
    }

    private static double objective(SegmentationModel model, NDManager parent, double[] x, NDArray weights) {
        try (NDManager m = parent.newSubManager()) {
            return model.logits(m.create(x, INPUT)).mul(weights).sum().getDouble();
        }
    }

    private static double runningMeanAbsSum(SegmentationModel model) {
        double s = 0;
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            if (p.getValue().getType() == Parameter.Type.RUNNING_MEAN) {
                s += p.getValue().getArray().abs().sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return s;
    }

    private static double[] uniform(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextDouble();
        }
        return a;
    }

    private static double[] gaussian(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextGaussian();
        }
        return a;
    }
}
