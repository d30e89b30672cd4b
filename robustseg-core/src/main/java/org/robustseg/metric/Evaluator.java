package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.ProgressListener;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;

/**
 * Runs a model over a data set with BatchNorm in eval statistics and accumulates one
 * data-set-level confusion matrix. An optional {@link InputPerturbation} (an attack) replaces
 * each batch's images before prediction. Robustness curves ({@link Robustness}) have their own
 * batch unit, which keeps per-image counts of every budget (and of every ensemble member) so that
 * batches evaluated anywhere merge exactly; both count images through {@link ImageMetrics}.
 */
public final class Evaluator {
    /** Changes a batch's images before they are scored, e.g. an adversarial attack. */
    @FunctionalInterface
    public interface InputPerturbation {
        /** Returns the images to score, created in (or attached to) {@code manager}. */
        NDArray apply(SegmentationModel model, NDArray images, NDArray labels, NDManager manager);
    }

    private Evaluator() {}

    /** Clean evaluation. */
    public static ConfusionMatrix evaluate(SegmentationModel model, SegDataset data, int batchSize, ProgressListener progress) {
        return evaluate(model, data, batchSize, null, progress);
    }

    /** Evaluation of the model on perturbed inputs ({@code perturbation} may be null for clean). */
    public static ConfusionMatrix evaluate(SegmentationModel model, SegDataset data, int batchSize,
                                           InputPerturbation perturbation, ProgressListener progress) {
        return evaluateImages(model, data, batchSize, perturbation, progress).confusion();
    }

    private static void checkClasses(SegmentationModel model, SegDataset data) {
        if (data.classes().size() != model.numClasses()) {
            throw new IllegalArgumentException("data set " + data.name() + " has " + data.classes().size()
                    + " classes but model " + model.name() + " predicts " + model.numClasses());
        }
    }

    /**
     * Like {@link #evaluate(SegmentationModel, SegDataset, int, InputPerturbation, ProgressListener)},
     * keeping the per-image and per-object figures too ({@link ImageMetrics}; background and other
     * stuff classes form no objects).
     */
    public static ImageMetrics evaluateImages(SegmentationModel model, SegDataset data, int batchSize,
                                              InputPerturbation perturbation, ProgressListener progress) {
        checkClasses(model, data);
        ImageMetrics figures = ImageMetrics.of(data.classes());
        ConfusionMatrix cm = figures.confusion();
        BatchLoader loader = BatchLoader.sequential(data, batchSize);
        progress.start("evaluate " + data.name(), data.size());
        // closed explicitly: a failing batch must not leave the loader thread running
        try (BatchLoader.Batches batches = loader.iterator()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray images = batch.images(step);
                    NDArray labels = batch.labels(step);
                    if (perturbation != null) {
                        images = perturbation.apply(model, images, labels, step);
                    }
                    figures.add(model.logits(images), labels);
                }
                progress.advance(batch.size(), String.format("mIoU %.3f", cm.meanIou()));
            }
        }
        progress.finish();
        return figures;
    }
}
