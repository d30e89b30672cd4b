package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SGD with momentum against sequences computed by hand in double arithmetic (PyTorch's convention). */
class SgdMomentumTest {
    private static final double M = 0.9;
    private static final double WD = 0.1;
    private static final double[] W0 = {1.0, -2.0, 0.5};
    /** The gradient of step t is G[t] (loss = Σ w·G[t]). */
    private static final double[][] G = {{0.5, -1.0, 2.0}, {1.5, 0.25, -0.5}, {-1.0, 2.0, 0.75}, {0.2, -0.4, 1.0}};
    /** A poly-like falling learning rate: where the conventions differ. */
    private static final double[] LR = {0.1, 0.06, 0.03, 0.01};

    private static Parameter parameter(NDManager m, double[] w) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        NDArray a = m.create(toFloat(w));
        a.setRequiresGradient(true);
        p.setArray(a);
        return p;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static void backward(NDManager m, Parameter p, double[] grad) {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(p.getArray().mul(m.create(toFloat(grad))).sum());
        }
    }

    /** torch.optim.SGD(momentum=M, weight_decay=WD, dampening=0): d = g + wd·w; v = m·v + d; w -= lr·v. */
    private static double[] pytorch(double[] w0, double[] v0, int from, int to) {
        double[] w = w0.clone();
        double[] v = v0.clone();
        for (int t = from; t < to; t++) {
            for (int i = 0; i < w.length; i++) {
                double d = G[t][i] + WD * w[i];
                v[i] = M * v[i] + d;
                w[i] -= LR[t] * v[i];
            }
        }
        return w;
    }

    /** The old (MXNet) convention: v = m·v + lr·d; w -= v. */
    private static double[] mxnet(int steps) {
        double[] w = W0.clone();
        double[] v = new double[w.length];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < w.length; i++) {
                double d = G[t][i] + WD * w[i];
                v[i] = M * v[i] + LR[t] * d;
                w[i] -= v[i];
            }
        }
        return w;
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    @Test
    void followsPytorchsMomentumUnderAChangingLearningRate() {
        double[] expected = pytorch(W0, new double[3], 0, 4);
        double[] old = mxnet(4);
        // the inputs tell the conventions apart by far more than the tolerance
        double gap = 0;
        for (int i = 0; i < 3; i++) {
            gap = Math.max(gap, Math.abs(expected[i] - old[i]));
        }
        assertTrue(gap > 0.05, "gap " + gap);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Parameter p = parameter(m, W0);
            SgdMomentum sgd = new SgdMomentum((float) M, (float) WD);
            for (int t = 0; t < 4; t++) {
                backward(m, p, G[t]);
                sgd.update(List.of(p), (float) LR[t]);
            }
            assertClose(expected, p.getArray().toFloatArray(), 1e-5);
            // the gradient is zeroed after the update, as the Trainer's next backward expects
            assertClose(new double[3], p.getArray().getGradient().toFloatArray(), 0);
        }
    }

    @Test
    void aResumedStateContinuesTheSequence() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Parameter p = parameter(m, W0);
            SgdMomentum first = new SgdMomentum((float) M, (float) WD);
            for (int t = 0; t < 2; t++) {
                backward(m, p, G[t]);
                first.update(List.of(p), (float) LR[t]);
            }
            NDList saved = first.state();
            SgdMomentum resumed = new SgdMomentum((float) M, (float) WD);
            resumed.loadState(saved, first.stateFormat(), (float) LR[1]);
            for (int t = 2; t < 4; t++) {
                backward(m, p, G[t]);
                resumed.update(List.of(p), (float) LR[t]);
            }
            assertClose(pytorch(W0, new double[3], 0, 4), p.getArray().toFloatArray(), 1e-5);
        }
    }

    @Test
    void aVelocityOfTheOldConventionIsConvertedNotMisread() {
        // old checkpoints stored u = m·u + lr·d; at constant lr 0.05 over two steps u = lr·v exactly
        double lr = 0.05;
        double[] w1 = W0.clone();
        double[] v = new double[3];
        double[] u = new double[3];
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 3; i++) {
                double d = G[t][i] + WD * w1[i];
                v[i] = M * v[i] + d;
                u[i] = M * u[i] + lr * d;
                w1[i] -= lr * v[i];
            }
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Parameter p = parameter(m, w1);
            SgdMomentum sgd = new SgdMomentum((float) M, (float) WD);
            sgd.loadState(new NDList(m.create(toFloat(u))), Optimizer.UNRECORDED_FORMAT, (float) lr);
            backward(m, p, G[2]);
            sgd.update(List.of(p), (float) LR[2]);
            double[] expected = w1.clone();
            for (int i = 0; i < 3; i++) {
                double d = G[2][i] + WD * w1[i];
                expected[i] -= LR[2] * (M * v[i] + d);
            }
            assertClose(expected, p.getArray().toFloatArray(), 1e-5);
        }
    }

    @Test
    void aStateOfAnotherFormatIsRefused() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SgdMomentum sgd = new SgdMomentum(0.9f, 0f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.loadState(new NDList(m.zeros(new ai.djl.ndarray.types.Shape(3))), Adam.FORMAT, 0.1f));
            assertTrue(e.getMessage().contains(Adam.FORMAT), e.getMessage());
            Adam adam = new Adam(0.9f, 0.999f, 1e-8f, 0f);
            assertThrows(IllegalArgumentException.class,
                    () -> adam.loadState(new NDList(m.zeros(new ai.djl.ndarray.types.Shape(3))), SgdMomentum.FORMAT, 0.1f));
        }
    }

    /**
     * Every optimiser zeroes the gradient after its update: the engine adds each backward pass into
     * the gradient it holds, so without it step t would train on G[0] + … + G[t]. Adam's second
     * step, by hand: with a fresh gradient of +1 after a first of −1 its first moment is
     * 0.9·(−0.1) + 0.1·1 = 0.01 (> 0, so w falls); an accumulated gradient (−1 + 1 = 0) gives −0.09 (w rises).
     */
    @Test
    void everyOptimiserZeroesTheGradientAfterItsUpdate() {
        for (Optimizer o : List.of(new SgdMomentum(0.9f, 0f), new Adam(0.9f, 0.999f, 1e-8f, 0f))) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Parameter p = parameter(m, new double[] {0.0});
                backward(m, p, new double[] {-1.0});
                o.update(List.of(p), 0.01f);
                assertEquals(0f, p.getArray().getGradient().getFloat(0), 0f, o.stateFormat() + ": gradient after the update");
                float w1 = p.getArray().getFloat(0);
                backward(m, p, new double[] {1.0});
                o.update(List.of(p), 0.01f);
                float w2 = p.getArray().getFloat(0);
                if (o instanceof Adam) {
                    assertTrue(w2 < w1, "Adam's second step must follow the fresh gradient: " + w1 + " -> " + w2);
                } else {
                    // v = 0.9·(−1) + 1 = 0.1: w falls by lr·0.1; an accumulated gradient (0) gives v = −0.9 and w rises
                    assertEquals(w1 - 0.01 * 0.1, w2, 1e-7, "SGD's second step");
                }
            }
        }
    }
}
