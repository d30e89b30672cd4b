package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.ProgressListener;
import org.robustseg.batch.Batch;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.GradientTransform;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.Objectives;
import org.robustseg.synth.Generation;
import org.robustseg.synth.Hole;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.SynthesisResult;

/**
 * Perceptually-aligned-gradient experiments: synthesise with a model, then let an independent
 * judge (another architecture, trained normally) segment the results. A model whose gradients
 * are perceptually aligned paints what the judge also sees; a standard model fools only itself.
 *
 * <p>Inpainting: per image a square hole over the largest object (class 0 = background), the true
 * label map as target. Figures pooled over all pixels of all images: the judge's and the model's
 * own pixel accuracy in the hole (all pixels and object pixels), the same after a σ = 1 blur of
 * the result (a judge must not be reading high-frequency noise), masked PSNR and SSIM against the
 * hidden original, and the gradient alignment — the cosine between the first step's descent
 * direction (−∇CE) and (original − filled) inside the hole, and the same for the direction after a
 * σ = 1 blur (a diagnostic: how much of the misalignment is high-frequency, e.g. the stride grid
 * of the encoder, rather than the wrong shape or colour). Generation: the judge's and the
 * model's mIoU against the layout on generated images (and blurred ones).
 */
public final class Pag {
    private Pag() {}

    /** Receives each batch's inputs and results (e.g. to write pictures). */
    @FunctionalInterface
    public interface Sink {
        void accept(int firstIndex, List<SegSample> samples, List<Hole> holes, SynthesisResult result, int[] judgePredictions);
    }

    /** Background class id of the hole placement and of the "object pixels" figures. */
    public static final int BACKGROUND = 0;
    /** Sigma of the blurred re-scoring. */
    public static final float BLUR_SIGMA = 1f;

    /** Pooled figures of one model's inpaintings (fractions in [0,1], PSNR in dB). */
    public record InpaintingScores(double judgeAccuracyHole, double judgeAccuracyObjects, double judgeAccuracyObjectsBlurred,
                                   double selfAccuracyHole, double selfAccuracyObjects, double psnr, double ssim,
                                   double gradientCosine, double gradientCosineBlurred, double lossBefore, double lossAfter,
                                   int images) {}

    /** Figures of one model's generations. */
    public record GenerationScores(double judgeMiou, double judgeMiouBlurred, double selfMiou, double judgePixelAccuracy,
                                   double lossBefore, double lossAfter, int images) {}

    /** What the judge makes of inputs nobody optimised: the real images, the filled holes, the seed images. */
    public record Baselines(double judgeAccuracyObjectsReal, double judgeAccuracyObjectsFilled, double psnrFilled,
                            double ssimFilled, double judgeMiouReal, double judgeMiouSeeds) {}

    /** The hole of every image of the data set, in order (square of side {@code size} over the largest object). */
    public static List<Hole> holes(SegDataset data, int size) {
        List<Hole> holes = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            SegSample s = data.get(i);
            holes.add(Hole.overLargestObject(s.labels(), s.height(), s.width(), size, BACKGROUND, data.classes().size()));
        }
        return holes;
    }

    /** Inpaints every image of {@code data} with {@code model} and scores the results with {@code judge}. */
    public static InpaintingScores inpainting(SegmentationModel model, SegmentationModel judge, SegDataset data, Inpainting inpaint,
                                              int holeSize, int batchSize, ProgressListener progress, Sink sink) {
        checkClasses(model, data);
        checkClasses(judge, data);
        List<Hole> allHoles = holes(data, holeSize);
        long[] judgeAll = new long[2];
        long[] judgeObj = new long[2];
        long[] judgeObjBlur = new long[2];
        long[] selfAll = new long[2];
        long[] selfObj = new long[2];
        List<Double> psnr = new ArrayList<>();
        List<Double> ssim = new ArrayList<>();
        List<Double> cosine = new ArrayList<>();
        List<Double> cosineBlurred = new ArrayList<>();
        double lossBefore = 0;
        double lossAfter = 0;
        progress.start("inpaint + judge " + model.name(), data.size());
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = Math.min(batchSize, data.size() - start);
            List<SegSample> samples = slice(data, start, n);
            List<Hole> holes = allHoles.subList(start, start + n);
            Batch b = Batch.of(samples);
            int h = b.height();
            int w = b.width();
            int plane = h * w;
            try (NDManager m = model.manager().newSubManager()) {
                NDArray images = b.images(m);
                NDArray labels = b.labels(m);
                SynthesisResult r = inpaint.run(model, images, holes, labels, start);
                float[][] descent = firstDescent(model, inpaint, b, holes, m, start);
                int[] judged = predict(judge, r.images(), n, h, w, m, false);
                int[] judgedBlur = predict(judge, r.images(), n, h, w, m, true);
                for (int i = 0; i < n; i++) {
                    boolean[] in = holes.get(i).pixels();
                    int[] t = r.target(i);
                    int[] jp = slice(judged, i, plane);
                    add(judgeAll, PagMetrics.hitsInRegion(jp, t, in, -1));
                    add(judgeObj, PagMetrics.hitsInRegion(jp, t, in, BACKGROUND));
                    add(judgeObjBlur, PagMetrics.hitsInRegion(slice(judgedBlur, i, plane), t, in, BACKGROUND));
                    add(selfAll, PagMetrics.hitsInRegion(r.prediction(i), t, in, -1));
                    add(selfObj, PagMetrics.hitsInRegion(r.prediction(i), t, in, BACKGROUND));
                    float[] original = samples.get(i).image();
                    psnr.add(PagMetrics.maskedPsnr(r.image(i), original, in));
                    ssim.add(PagMetrics.maskedSsim(r.image(i), original, in, h, w));
                    float[] filled = r.startImage(i);
                    float[] direction = new float[filled.length];
                    for (int k = 0; k < filled.length; k++) {
                        direction[k] = original[k] - filled[k];
                    }
                    cosine.add(PagMetrics.maskedCosine(slice(descent[0], i, 3 * plane), direction, in));
                    cosineBlurred.add(PagMetrics.maskedCosine(slice(descent[1], i, 3 * plane), direction, in));
                    lossBefore += r.lossBefore()[i];
                    lossAfter += r.lossAfter()[i];
                }
                if (sink != null) {
                    sink.accept(start, samples, holes, r, judged);
                }
            }
            progress.advance(n, null);
        }
        progress.finish();
        int count = data.size();
        return new InpaintingScores(ratio(judgeAll), ratio(judgeObj), ratio(judgeObjBlur), ratio(selfAll), ratio(selfObj),
                mean(psnr), mean(ssim), mean(cosine), mean(cosineBlurred), lossBefore / count, lossAfter / count, count);
    }

    /**
     * The descent direction −∇CE of the first inpainting step (same filled start and loss target
     * as the run), N×3×H×W: {raw, after a σ = {@link #BLUR_SIGMA} blur}.
     */
    static float[][] firstDescent(SegmentationModel model, Inpainting inpaint, Batch b, List<Hole> holes, NDManager m, long firstIndex) {
        int n = b.size();
        float[] filled = inpaint.filled(b.pixels(), holes, firstIndex);
        int[] lossTarget = inpaint.lossTarget(b.labelData(), holes);
        try (NDManager g = m.newSubManager()) {
            NDArray x = OwnedArrays.of(g, filled, new Shape(n, 3, b.height(), b.width()));
            NDArray y = OwnedArrays.of(g, lossTarget, new Shape(n, b.height(), b.width())).toType(DataType.INT64, false);
            NDArray descent = InputGradient.of(model, x, Objectives.crossEntropy(), y).gradient().neg();
            return new float[][] {descent.toFloatArray(), GradientTransform.gaussianBlur(BLUR_SIGMA).apply(descent).toFloatArray()};
        }
    }

    /** Generates an image for every label map of {@code data} with {@code model}; the judge scores them against the layouts. */
    public static GenerationScores generation(SegmentationModel model, SegmentationModel judge, SegDataset data, Generation generation,
                                              int batchSize, ProgressListener progress, Sink sink) {
        checkClasses(model, data);
        checkClasses(judge, data);
        int k = data.classes().size();
        ConfusionMatrix judgeCm = new ConfusionMatrix(k);
        ConfusionMatrix judgeBlurCm = new ConfusionMatrix(k);
        ConfusionMatrix selfCm = new ConfusionMatrix(k);
        double lossBefore = 0;
        double lossAfter = 0;
        progress.start("generate + judge " + model.name(), data.size());
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = Math.min(batchSize, data.size() - start);
            List<SegSample> samples = slice(data, start, n);
            Batch b = Batch.of(samples);
            try (NDManager m = model.manager().newSubManager()) {
                SynthesisResult r = generation.run(model, b.labels(m), start);
                int[] judged = predict(judge, r.images(), n, b.height(), b.width(), m, false);
                judgeCm.add(judged, r.target());
                judgeBlurCm.add(predict(judge, r.images(), n, b.height(), b.width(), m, true), r.target());
                selfCm.add(r.predictions(), r.target());
                for (int i = 0; i < n; i++) {
                    lossBefore += r.lossBefore()[i];
                    lossAfter += r.lossAfter()[i];
                }
                if (sink != null) {
                    sink.accept(start, samples, null, r, judged);
                }
            }
            progress.advance(n, null);
        }
        progress.finish();
        return new GenerationScores(judgeCm.meanIou(), judgeBlurCm.meanIou(), selfCm.meanIou(), judgeCm.pixelAccuracy(),
                lossBefore / data.size(), lossAfter / data.size(), data.size());
    }

    /** The judge on real images (in the hole), on the filled holes, and on the generation seeds. */
    public static Baselines baselines(SegmentationModel judge, SegDataset data, Inpainting inpaint, Generation generation,
                                      int holeSize, int batchSize) {
        List<Hole> allHoles = holes(data, holeSize);
        long[] real = new long[2];
        long[] filledHits = new long[2];
        List<Double> psnr = new ArrayList<>();
        List<Double> ssim = new ArrayList<>();
        int k = data.classes().size();
        ConfusionMatrix realCm = new ConfusionMatrix(k);
        ConfusionMatrix seedCm = new ConfusionMatrix(k);
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = Math.min(batchSize, data.size() - start);
            List<SegSample> samples = slice(data, start, n);
            List<Hole> holes = allHoles.subList(start, start + n);
            Batch b = Batch.of(samples);
            int h = b.height();
            int w = b.width();
            int plane = h * w;
            try (NDManager m = judge.manager().newSubManager()) {
                float[] filled = inpaint.filled(b.pixels(), holes, start);
                int[] onReal = predict(judge, b.pixels(), n, h, w, m, false);
                int[] onFilled = predict(judge, filled, n, h, w, m, false);
                realCm.add(onReal, b.labelData());
                for (int i = 0; i < n; i++) {
                    boolean[] in = holes.get(i).pixels();
                    int[] t = slice(b.labelData(), i, plane);
                    add(real, PagMetrics.hitsInRegion(slice(onReal, i, plane), t, in, BACKGROUND));
                    add(filledHits, PagMetrics.hitsInRegion(slice(onFilled, i, plane), t, in, BACKGROUND));
                    float[] f = java.util.Arrays.copyOfRange(filled, i * 3 * plane, (i + 1) * 3 * plane);
                    psnr.add(PagMetrics.maskedPsnr(f, samples.get(i).image(), in));
                    ssim.add(PagMetrics.maskedSsim(f, samples.get(i).image(), in, h, w));
                }
                if (generation != null) {
                    float[] seeds = generation.seeds(b.labelData(), n, h, w, start);
                    seedCm.add(predict(judge, seeds, n, h, w, m, false), b.labelData());
                }
            }
        }
        return new Baselines(ratio(real), ratio(filledHits), mean(psnr), mean(ssim), realCm.meanIou(),
                generation == null ? Double.NaN : seedCm.meanIou());
    }

    /** Arg-max predictions N×H×W of {@code model} on images N×3×H×W (optionally blurred with σ = 1 first). */
    public static int[] predict(SegmentationModel model, float[] images, int n, int h, int w, NDManager manager, boolean blurred) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = OwnedArrays.of(m, images, new Shape(n, 3, h, w));
            if (blurred) {
                x = GradientTransform.gaussianBlur(BLUR_SIGMA).apply(x);
            }
            return model.logits(x).argMax(1).toType(DataType.INT32, false).toIntArray();
        }
    }

    private static void checkClasses(SegmentationModel model, SegDataset data) {
        if (model.numClasses() != data.classes().size()) {
            throw new IllegalArgumentException("model " + model.name() + " predicts " + model.numClasses() + " classes but "
                    + data.name() + " has " + data.classes().size());
        }
    }

    private static int[] slice(int[] a, int i, int plane) {
        return java.util.Arrays.copyOfRange(a, i * plane, (i + 1) * plane);
    }

    private static float[] slice(float[] a, int i, int plane) {
        return java.util.Arrays.copyOfRange(a, i * plane, (i + 1) * plane);
    }

    private static void add(long[] acc, long[] hits) {
        acc[0] += hits[0];
        acc[1] += hits[1];
    }

    private static double ratio(long[] acc) {
        return acc[1] == 0 ? Double.NaN : (double) acc[0] / acc[1];
    }

    private static double mean(List<Double> v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (Double.isFinite(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Samples {@code start .. start+n-1} of {@code data}, in order. */
    private static List<SegSample> slice(SegDataset data, int start, int n) {
        List<SegSample> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(data.get(start + i));
        }
        return samples;
    }
}
