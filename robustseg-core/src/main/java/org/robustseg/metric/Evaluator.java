package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.attack.AttackResult;
import org.robustseg.attack.Ensemble;
import org.robustseg.ProgressListener;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;

/**
 * Runs a model over a data set with BatchNorm in eval statistics and accumulates one
 * data-set-level confusion matrix. An optional {@link InputPerturbation} (an attack) replaces
 * each batch's images before prediction, so clean and robust evaluation share this code.
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

    /**
     * An ensemble's evaluation with every member scored on its own.
     *
     * @param worst figures of the images the ensemble returns (per image the member of {@code choice})
     * @param members each member's own figures on the same images
     * @param choice per image, the member kept (the ensemble's rule, {@link Ensemble#worstMember})
     * @param memberSeconds wall time of each member's attack and scoring
     */
    public record EnsembleEvaluation(ImageMetrics worst, List<ImageMetrics> members, int[] choice, double[] memberSeconds) {}

    /**
     * Runs each member of {@code ensemble} on every batch, scores each member's adversarial images,
     * and keeps per image the ensemble's worst case: the figures of {@link Ensemble#perturb} plus
     * every member's own, at the cost of one forward pass per member and batch.
     */
    public static EnsembleEvaluation evaluateEnsemble(SegmentationModel model, SegDataset data, int batchSize, Ensemble ensemble,
                                                      ProgressListener progress) {
        checkClasses(model, data);
        int k = ensemble.members().size();
        ImageMetrics worst = ImageMetrics.of(data.classes());
        List<ImageMetrics> members = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            members.add(ImageMetrics.of(data.classes()));
        }
        double[] seconds = new double[k];
        int[] choice = new int[data.size()];
        int done = 0;
        progress.start("evaluate " + data.name() + " under " + ensemble.name(), data.size());
        try (BatchLoader.Batches batches = BatchLoader.sequential(data, batchSize).iterator()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray images = batch.images(step);
                    NDArray labels = batch.labels(step);
                    int[] lab = labels.toType(DataType.INT32, false).toIntArray();
                    List<float[]> accuracy = new ArrayList<>();
                    List<float[]> loss = new ArrayList<>();
                    List<int[]> predicted = new ArrayList<>();
                    for (int m = 0; m < k; m++) {
                        long t0 = System.nanoTime();
                        AttackResult r = ensemble.members().get(m).perturb(model, images, labels);
                        int[] p = model.logits(r.adversarial()).argMax(1).toType(DataType.INT32, false).toIntArray();
                        members.get(m).add(p, lab, batch.height(), batch.width());
                        seconds[m] += (System.nanoTime() - t0) / 1e9;
                        accuracy.add(r.accuracy());
                        loss.add(r.loss());
                        predicted.add(p);
                    }
                    int[] pick = Ensemble.worstMember(accuracy, loss);
                    int per = batch.height() * batch.width();
                    int[] kept = new int[lab.length];
                    for (int i = 0; i < pick.length; i++) {
                        System.arraycopy(predicted.get(pick[i]), i * per, kept, i * per, per);
                        choice[done + i] = pick[i];
                    }
                    worst.add(kept, lab, batch.height(), batch.width());
                    done += pick.length;
                }
                progress.advance(batch.size(), String.format("mIoU %.3f", worst.confusion().meanIou()));
            }
        }
        progress.finish();
        return new EnsembleEvaluation(worst, List.copyOf(members), choice, seconds);
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
