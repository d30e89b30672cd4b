package org.robustseg.examples;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.robustseg.batch.Batch;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.metric.Saliency;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;

/**
 * Input-gradient saliency of a checkpoint on one validation scene, and how much of its energy
 * lies on the objects and their outlines. Usage: {@code SaliencyExample [DATA_DIR [CHECKPOINT]]}.
 */
public final class SaliencyExample {
    private SaliencyExample() {}

    // tag::saliency[]
    /** The alignment of the whole-map saliency of the first validation scene with its labels. */
    public static Saliency.Alignment saliency(Path data, Path checkpoint) {
        SegSample scene = DataSets.open(data, Split.VAL).get(0);
        try (SegmentationModel model = Checkpoint.load(checkpoint); NDManager manager = model.manager().newSubManager()) {
            // the gradient of the summed logits of the predicted classes, its L2 norm over channels per pixel
            Saliency.Maps maps = Saliency.compute(model, Batch.of(List.of(scene)).images(manager), Saliency.WHOLE_MAP,
                    Saliency.Score.LOGIT);
            // objectConcentration, outlineConcentration: share of gradient energy / share of pixels (1 = spread evenly)
            return Saliency.alignment(maps.map(0), scene.labels(), scene.height(), scene.width(), Saliency.WHOLE_MAP);
        }
    }
    // end::saliency[]

    public static void main(String[] args) {
        Saliency.Alignment a = saliency(Path.of(args.length > 0 ? args[0] : "runs/demo/data"),
                Path.of(args.length > 1 ? args[1] : "runs/demo/models/robust"));
        System.out.printf("object concentration %.2f, outline concentration %.2f%n", a.objectConcentration(),
                a.outlineConcentration());
    }
}
