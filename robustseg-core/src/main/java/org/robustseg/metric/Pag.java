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

    /**
     * What a batch contributes to a figure: hit counts per region (summed), per-image values
     * (kept in image order) and confusion counts (summed). Batches merged in data-set order
     * ({@link #merge}) give exactly the figures of one pass over the data set, so a batch may be
     * computed anywhere — in this process or on a cluster node — and sent back.
     */
    public static final class Tally implements java.io.Serializable {
        private final int first;
        private final java.util.Map<String, long[]> hits = new java.util.TreeMap<>();
        private final java.util.Map<String, List<Double>> values = new java.util.TreeMap<>();
        private final java.util.Map<String, long[]> counts = new java.util.TreeMap<>();

        /** An empty tally of the batch whose first image has data-set index {@code first}. */
        public Tally(int first) {
            this.first = first;
        }

        /** The data-set index of the batch's first image. */
        public int first() {
            return first;
        }

        void hits(String key, long[] h) {
            add(hits.computeIfAbsent(key, k -> new long[2]), h);
        }

        void value(String key, double v) {
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
        }

        void confusion(String key, int classes, int[] predicted, int[] labels) {
            ConfusionMatrix cm = ConfusionMatrix.of(classes, counts.computeIfAbsent(key, k -> new long[classes * classes]));
            cm.add(predicted, labels);
            counts.put(key, cm.counts());
        }

        double ratio(String key) {
            return Pag.ratio(hits.getOrDefault(key, new long[2]));
        }

        double mean(String key) {
            return Pag.mean(values.getOrDefault(key, List.of()));
        }

        /** The sum of the per-image values in image order, as one pass adds them. */
        double sum(String key) {
            double s = 0;
            for (double v : values.getOrDefault(key, List.of())) {
                s += v;
            }
            return s;
        }

        int images(String key) {
            return values.getOrDefault(key, List.of()).size();
        }

        ConfusionMatrix confusion(String key, int classes) {
            long[] c = counts.get(key);
            return c == null ? new ConfusionMatrix(classes) : ConfusionMatrix.of(classes, c);
        }

        /** The tallies of a data set's batches (any order) as one: sorted by first image, then summed and concatenated. */
        public static Tally merge(java.util.Collection<Tally> parts) {
            Tally all = new Tally(0);
            for (Tally t : parts.stream().sorted(java.util.Comparator.comparingInt(Tally::first)).toList()) {
                t.hits.forEach(all::hits);
                t.values.forEach((k, v) -> all.values.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
                t.counts.forEach((k, v) -> {
                    long[] acc = all.counts.computeIfAbsent(k, x -> new long[v.length]);
                    for (int i = 0; i < v.length; i++) {
                        acc[i] += v[i];
                    }
                });
            }
            return all;
        }
    }

    /** The holes of {@code samples}, in order (square of side {@code size} over the largest object). */
    private static List<Hole> holes(List<SegSample> samples, int size, int classes) {
        List<Hole> holes = new ArrayList<>();
        for (SegSample s : samples) {
            holes.add(Hole.overLargestObject(s.labels(), s.height(), s.width(), size, BACKGROUND, classes));
        }
        return holes;
    }

    /** Inpaints every image of {@code data} with {@code model} and scores the results with {@code judge}. */
    public static InpaintingScores inpainting(SegmentationModel model, SegmentationModel judge, SegDataset data, Inpainting inpaint,
                                              int holeSize, int batchSize, ProgressListener progress, Sink sink) {
        checkClasses(model, data);
        checkClasses(judge, data);
        List<Tally> parts = new ArrayList<>();
        progress.start("inpaint + judge " + model.name(), data.size());
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = Math.min(batchSize, data.size() - start);
            parts.add(inpaintingBatch(model, judge, data, inpaint, holeSize, start, n, sink));
            progress.advance(n, null);
        }
        progress.finish();
        return inpaintingScores(Tally.merge(parts));
    }

    /** Images {@code start .. start+n-1} of {@link #inpainting}: inpainted, judged, tallied; {@code sink} gets the results. */
    public static Tally inpaintingBatch(SegmentationModel model, SegmentationModel judge, SegDataset data, Inpainting inpaint,
                                        int holeSize, int start, int n, Sink sink) {
        List<SegSample> samples = slice(data, start, n);
        List<Hole> holes = holes(samples, holeSize, data.classes().size());
        Batch b = Batch.of(samples);
        int h = b.height();
        int w = b.width();
        int plane = h * w;
        Tally t = new Tally(start);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray images = b.images(m);
            NDArray labels = b.labels(m);
            SynthesisResult r = inpaint.run(model, images, holes, labels, start);
            float[][] descent = firstDescent(model, inpaint, b, holes, m, start);
            int[] judged = predict(judge, r.images(), n, h, w, m, false);
            int[] judgedBlur = predict(judge, r.images(), n, h, w, m, true);
            for (int i = 0; i < n; i++) {
                boolean[] in = holes.get(i).pixels();
                int[] target = r.target(i);
                int[] jp = slice(judged, i, plane);
                t.hits("judge_all", PagMetrics.hitsInRegion(jp, target, in, -1));
                t.hits("judge_objects", PagMetrics.hitsInRegion(jp, target, in, BACKGROUND));
                t.hits("judge_objects_blurred", PagMetrics.hitsInRegion(slice(judgedBlur, i, plane), target, in, BACKGROUND));
                t.hits("self_all", PagMetrics.hitsInRegion(r.prediction(i), target, in, -1));
                t.hits("self_objects", PagMetrics.hitsInRegion(r.prediction(i), target, in, BACKGROUND));
                float[] original = samples.get(i).image();
                t.value("psnr", PagMetrics.maskedPsnr(r.image(i), original, in));
                t.value("ssim", PagMetrics.maskedSsim(r.image(i), original, in, h, w));
                float[] filled = r.startImage(i);
                float[] direction = new float[filled.length];
                for (int k = 0; k < filled.length; k++) {
                    direction[k] = original[k] - filled[k];
                }
                t.value("cosine", PagMetrics.maskedCosine(slice(descent[0], i, 3 * plane), direction, in));
                t.value("cosine_blurred", PagMetrics.maskedCosine(slice(descent[1], i, 3 * plane), direction, in));
                t.value("loss_before", r.lossBefore()[i]);
                t.value("loss_after", r.lossAfter()[i]);
            }
            if (sink != null) {
                sink.accept(start, samples, holes, r, judged);
            }
        }
        return t;
    }

    /** The pooled inpainting figures of a data set's merged tally. */
    public static InpaintingScores inpaintingScores(Tally t) {
        int count = t.images("loss_before");
        return new InpaintingScores(t.ratio("judge_all"), t.ratio("judge_objects"), t.ratio("judge_objects_blurred"),
                t.ratio("self_all"), t.ratio("self_objects"), t.mean("psnr"), t.mean("ssim"), t.mean("cosine"),
                t.mean("cosine_blurred"), t.sum("loss_before") / count, t.sum("loss_after") / count, count);
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
        List<Tally> parts = new ArrayList<>();
        progress.start("generate + judge " + model.name(), data.size());
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = Math.min(batchSize, data.size() - start);
            parts.add(generationBatch(model, judge, data, generation, start, n, sink));
            progress.advance(n, null);
        }
        progress.finish();
        return generationScores(Tally.merge(parts), data.classes().size());
    }

    /** Layouts {@code start .. start+n-1} of {@link #generation}: generated, judged, tallied; {@code sink} gets the results. */
    public static Tally generationBatch(SegmentationModel model, SegmentationModel judge, SegDataset data, Generation generation,
                                        int start, int n, Sink sink) {
        int k = data.classes().size();
        List<SegSample> samples = slice(data, start, n);
        Batch b = Batch.of(samples);
        Tally t = new Tally(start);
        try (NDManager m = model.manager().newSubManager()) {
            SynthesisResult r = generation.run(model, b.labels(m), start);
            int[] judged = predict(judge, r.images(), n, b.height(), b.width(), m, false);
            t.confusion("judge", k, judged, r.target());
            t.confusion("judge_blurred", k, predict(judge, r.images(), n, b.height(), b.width(), m, true), r.target());
            t.confusion("self", k, r.predictions(), r.target());
            for (int i = 0; i < n; i++) {
                t.value("loss_before", r.lossBefore()[i]);
                t.value("loss_after", r.lossAfter()[i]);
            }
            if (sink != null) {
                sink.accept(start, samples, null, r, judged);
            }
        }
        return t;
    }

    /** The generation figures of a data set's merged tally. */
    public static GenerationScores generationScores(Tally t, int classes) {
        int count = t.images("loss_before");
        ConfusionMatrix judgeCm = t.confusion("judge", classes);
        return new GenerationScores(judgeCm.meanIou(), t.confusion("judge_blurred", classes).meanIou(),
                t.confusion("self", classes).meanIou(), judgeCm.pixelAccuracy(), t.sum("loss_before") / count,
                t.sum("loss_after") / count, count);
    }

    /** The judge on real images (in the hole), on the filled holes, and on the generation seeds. */
    public static Baselines baselines(SegmentationModel judge, SegDataset data, Inpainting inpaint, Generation generation,
                                      int holeSize, int batchSize) {
        List<Tally> parts = new ArrayList<>();
        for (int start = 0; start < data.size(); start += batchSize) {
            parts.add(baselinesBatch(judge, data, inpaint, generation, holeSize, start, Math.min(batchSize, data.size() - start)));
        }
        return baselines(Tally.merge(parts), data.classes().size(), generation != null);
    }

    /** Images {@code start .. start+n-1} of {@link #baselines}, tallied. */
    public static Tally baselinesBatch(SegmentationModel judge, SegDataset data, Inpainting inpaint, Generation generation,
                                       int holeSize, int start, int n) {
        int k = data.classes().size();
        List<SegSample> samples = slice(data, start, n);
        List<Hole> holes = holes(samples, holeSize, k);
        Batch b = Batch.of(samples);
        int h = b.height();
        int w = b.width();
        int plane = h * w;
        Tally t = new Tally(start);
        try (NDManager m = judge.manager().newSubManager()) {
            float[] filled = inpaint.filled(b.pixels(), holes, start);
            int[] onReal = predict(judge, b.pixels(), n, h, w, m, false);
            int[] onFilled = predict(judge, filled, n, h, w, m, false);
            t.confusion("real", k, onReal, b.labelData());
            for (int i = 0; i < n; i++) {
                boolean[] in = holes.get(i).pixels();
                int[] target = slice(b.labelData(), i, plane);
                t.hits("real", PagMetrics.hitsInRegion(slice(onReal, i, plane), target, in, BACKGROUND));
                t.hits("filled", PagMetrics.hitsInRegion(slice(onFilled, i, plane), target, in, BACKGROUND));
                float[] f = java.util.Arrays.copyOfRange(filled, i * 3 * plane, (i + 1) * 3 * plane);
                t.value("psnr_filled", PagMetrics.maskedPsnr(f, samples.get(i).image(), in));
                t.value("ssim_filled", PagMetrics.maskedSsim(f, samples.get(i).image(), in, h, w));
            }
            if (generation != null) {
                float[] seeds = generation.seeds(b.labelData(), n, h, w, start);
                t.confusion("seeds", k, predict(judge, seeds, n, h, w, m, false), b.labelData());
            }
        }
        return t;
    }

    /** The baselines of a data set's merged tally. */
    public static Baselines baselines(Tally t, int classes, boolean generated) {
        return new Baselines(t.ratio("real"), t.ratio("filled"), t.mean("psnr_filled"), t.mean("ssim_filled"),
                t.confusion("real", classes).meanIou(), generated ? t.confusion("seeds", classes).meanIou() : Double.NaN);
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
