package org.robustseg.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.robustseg.model.SegmentationModel;

public final class StepProbe {
    public static void main(String[] args) {
        try (SegmentationModel model = SegmentationModel.create("pspnet-lite", 11, 0)) {
            List<Parameter> params = Trainer.trainableParameters(model);
            Optimizer opt = new SgdMomentum(0.9f, 1e-4f);
            long tFb = 0, tOpt = 0, tMake = 0;
            int n = 30;
            for (int i = 0; i < n + 5; i++) {
                long a = System.nanoTime();
                try (NDManager sm = model.manager().newSubManager()) {
                    NDArray x = sm.randomUniform(0, 1, new Shape(16, 3, 64, 64));
                    NDArray y = sm.randomInteger(0, 11, new Shape(16, 64, 64), DataType.INT64);
                    long b = System.nanoTime();
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray loss = StandardRecipe.supervisedLoss(model, x, y, 0.4f);
                        gc.backward(loss);
                    }
                    long c = System.nanoTime();
                    opt.update(params, 0.01f);
                    long d = System.nanoTime();
                    if (i >= 5) { tMake += b - a; tFb += c - b; tOpt += d - c; }
                }
            }
            System.out.printf("make %.1f ms, fwd+bwd+CE %.1f ms, optimizer %.1f ms (%d params)%n", tMake / 1e6 / n, tFb / 1e6 / n, tOpt / 1e6 / n, params.size());
        }
    }
}
