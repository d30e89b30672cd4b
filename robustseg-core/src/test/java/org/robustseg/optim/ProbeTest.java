package org.robustseg.optim;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.robustseg.model.SegmentationModel;

class ProbeTest {
    @Test
    void probe() {
        long t0 = System.nanoTime();
        try (SegmentationModel model = TinySegNet.trained(1, 120); NDManager m = NDManager.newBaseManager("PyTorch")) {
            long t1 = System.nanoTime();
            NDList val = TinySegNet.scenes(m, 16, 999);
            float clean = TinySegNet.accuracy(model, val.get(0), val.get(1));
            long t2 = System.nanoTime();
            Result r = InputOptimizer.of(new LinfStep(8 / 255f, 2 / 255f), Objectives.crossEntropy()).iterations(20).randomStart(true)
                    .run(model, val.get(0), val.get(1));
            long t3 = System.nanoTime();
            float adv = TinySegNet.accuracy(model, r.xBest(), val.get(1));
            System.out.printf("train %.2fs clean %.3f adv %.3f pgd %.2f ms/it%n", (t1 - t0) / 1e9, clean, adv, (t3 - t2) / 1e6 / 21);
            System.out.println(java.util.Arrays.toString(r.trace().meanLoss()));
        }
    }
}
