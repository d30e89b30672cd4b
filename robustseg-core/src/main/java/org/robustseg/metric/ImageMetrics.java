package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.robustseg.data.SegSample;

/**
 * Figures per image and per object, next to the data-set-level confusion matrix: a data-set
 * mIoU can hide that a few images are destroyed completely, or that small objects vanish while
 * large regions survive — what an attack on segmentation does first.
 * <ul>
 *   <li><b>per-image mIoU</b>: for each image, the mean IoU over the classes present in its labels
 *       or its prediction (valid pixels only), then the mean over images ({@link #meanImageMiou};
 *       the image-normalised mIoU of robust-segmentation evaluations);
 *   <li><b>per-class IoU</b>: from the accumulated confusion matrix ({@link #confusion});
 *   <li><b>IoU by object size</b>: every 4-connected component of one class in the labels is an
 *       object; its size is its share of the image's pixels: <b>small</b> below
 *       {@value #SMALL_BELOW} (1%), <b>large</b> from {@value #LARGE_FROM} (10%), <b>medium</b>
 *       between. Relative thresholds, because the data sets here range from 64×64 to 2048×1024
 *       (COCO's absolute 32²/96² would call every object of a small image small). Per size
 *       class: IoU = ΣTP / Σ(TP + FN + FP), with TP/FN the object's pixels predicted as its class
 *       or not, and FP the pixels inside the object's bounding box predicted as its class but
 *       labelled otherwise; and the mean object recall TP/|object|. "Stuff" classes (background)
 *       given to the constructor form no objects;
 *   <li><b>worst images</b>: the images with the lowest per-image mIoU ({@link #worst}).
 * </ul>
 */
public final class ImageMetrics {
    public static final double SMALL_BELOW = 0.01;
    public static final double LARGE_FROM = 0.10;

    /** Object size classes (see the class comment for the thresholds). */
    public enum Size { SMALL, MEDIUM, LARGE }

    /** One size class's figures: objects counted, pooled IoU, mean object recall. */
    public record SizeFigures(int objects, double iou, double meanRecall) {}

    /** An image with its per-image mIoU; {@code index} counts images in the order they were added. */
    public record ImageScore(int index, double miou) {}

    private final int classes;
    private final Set<Integer> stuff;
    private final ConfusionMatrix confusion;
    private final List<Double> imageMiou = new ArrayList<>();
    /** Per image its non-zero confusion cells as pairs (label·C + prediction, count): a subset's matrix is their sum. */
    private final List<int[]> imageCells = new ArrayList<>();
    private final Map<Size, long[]> pooled = new EnumMap<>(Size.class); // tp, fn, fp, objects
    private final Map<Size, Double> recallSum = new EnumMap<>(Size.class);
    /** The predicted maps of the {@link #KEPT_MAPS} worst images so far, by image index (for pictures of them). */
    private final java.util.TreeMap<Integer, byte[]> worstMaps = new java.util.TreeMap<>();
    /** How many of the worst images' predicted maps are kept. */
    public static final int KEPT_MAPS = 4;

    /**
     * Names of classes that form no objects: VOC's and FashionScenes' background, and the "stuff"
     * classes of Cityscapes' panoptic split (road, sky, …; its things are people and vehicles).
     */
    public static final Set<String> STUFF_NAMES = Set.of("background", "road", "sidewalk", "building", "wall", "fence", "pole",
            "traffic light", "traffic sign", "vegetation", "terrain", "sky");

    /** Figures for a data set's classes, those named in {@link #STUFF_NAMES} forming no objects. */
    public static ImageMetrics of(org.robustseg.data.ClassSet classes) {
        Set<Integer> stuff = new java.util.HashSet<>();
        for (int c = 0; c < classes.size(); c++) {
            if (STUFF_NAMES.contains(classes.names().get(c))) {
                stuff.add(c);
            }
        }
        return new ImageMetrics(classes.size(), stuff);
    }

    /** @param stuffClasses classes that form no objects (e.g. background) */
    public ImageMetrics(int classes, Set<Integer> stuffClasses) {
        this.classes = classes;
        this.stuff = Set.copyOf(stuffClasses);
        this.confusion = new ConfusionMatrix(classes);
        for (Size s : Size.values()) {
            pooled.put(s, new long[4]);
            recallSum.put(s, 0.0);
        }
    }

    /** Adds a batch from logits N×C×H×W (arg-max over C) and labels N×H×W. */
    public void add(NDArray logits, NDArray labels) {
        long[] shape = labels.getShape().getShape();
        add(logits.argMax(1).toType(DataType.INT32, false).toIntArray(), labels.toType(DataType.INT32, false).toIntArray(),
                (int) shape[1], (int) shape[2]);
    }

    /** Adds images of h×w pixels given as flat predicted and label maps (255 = ignore), one after the other. */
    public void add(int[] predicted, int[] labels, int h, int w) {
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException("prediction has " + predicted.length + " pixels, labels " + labels.length);
        }
        int per = h * w;
        for (int off = 0; off < labels.length; off += per) {
            int[] pred = java.util.Arrays.copyOfRange(predicted, off, off + per);
            add(count(pred, java.util.Arrays.copyOfRange(labels, off, off + per), h, w), pred);
        }
    }

    /**
     * One image's counts, integers only: what this class keeps of an image, and all it needs of one.
     * An image counted anywhere — in another process, on a cluster node, read back from a file — and
     * added in the same order as here gives the same figures to the last bit, because every figure is
     * derived from these integers in a fixed order.
     *
     * @param classes the number of classes C
     * @param cells the non-zero confusion cells as pairs (label·C + prediction, pixels), in ascending cell order
     * @param objects per object of a non-stuff class, in scan order, the quadruple (size class ordinal,
     *     pixels, pixels predicted as its class, pixels in its bounding box predicted as its class but
     *     labelled another valid class)
     */
    public record Counts(int classes, int[] cells, int[] objects) implements java.io.Serializable {
        public Counts {
            if (classes < 1 || cells.length % 2 != 0 || objects.length % 4 != 0) {
                throw new IllegalArgumentException("malformed image counts: " + classes + " classes, " + cells.length + " cell values, "
                        + objects.length + " object values");
            }
            for (int k = 0; k < cells.length; k += 2) {
                if (cells[k] < 0 || cells[k] >= classes * classes || cells[k + 1] < 1 || k > 0 && cells[k] <= cells[k - 2]) {
                    throw new IllegalArgumentException("malformed confusion cell (" + cells[k] + ", " + cells[k + 1] + ") of " + classes + " classes");
                }
            }
            for (int k = 0; k < objects.length; k += 4) {
                if (objects[k] < 0 || objects[k] >= Size.values().length || objects[k + 1] < 1 || objects[k + 2] < 0
                        || objects[k + 2] > objects[k + 1] || objects[k + 3] < 0) {
                    throw new IllegalArgumentException("malformed object counts at " + k / 4);
                }
            }
            cells = cells.clone();
            objects = objects.clone();
        }

        @Override
        public int[] cells() {
            return cells.clone();
        }

        @Override
        public int[] objects() {
            return objects.clone();
        }

        /** The image's own confusion matrix. */
        public ConfusionMatrix confusion() {
            ConfusionMatrix cm = new ConfusionMatrix(classes);
            for (int k = 0; k < cells.length; k += 2) {
                cm.add(cells[k] / classes, cells[k] % classes, cells[k + 1]);
            }
            return cm;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Counts c && c.classes == classes && java.util.Arrays.equals(c.cells, cells)
                    && java.util.Arrays.equals(c.objects, objects);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * classes + java.util.Arrays.hashCode(cells)) + java.util.Arrays.hashCode(objects);
        }

        @Override
        public String toString() {
            return "Counts[classes=" + classes + ", cells=" + java.util.Arrays.toString(cells) + ", objects="
                    + java.util.Arrays.toString(objects) + "]";
        }
    }

    /**
     * Counts one image of h×w pixels (flat predicted and label maps, 255 = ignore) without adding
     * it: the unit a distributed evaluation hands back. Labels outside 0..C-1 other than 255, and
     * predictions outside 0..C-1 at counted pixels, are an error.
     */
    public Counts count(int[] pred, int[] lab, int h, int w) {
        if (pred.length != lab.length || lab.length != h * w) {
            throw new IllegalArgumentException("an image of " + h + "x" + w + " pixels, but " + pred.length + " predicted and "
                    + lab.length + " labelled");
        }
        java.util.TreeMap<Integer, Integer> cells = new java.util.TreeMap<>();
        for (int i = 0; i < lab.length; i++) {
            int t = lab[i];
            if (t == SegSample.IGNORE) {
                continue;
            }
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("label " + t + " outside 0.." + (classes - 1) + " and not 255");
            }
            if (pred[i] < 0 || pred[i] >= classes) {
                throw new IllegalArgumentException("predicted class " + pred[i] + " at pixel " + i + " outside 0.." + (classes - 1));
            }
            cells.merge(t * classes + pred[i], 1, Integer::sum);
        }
        int[] flat = new int[2 * cells.size()];
        int k = 0;
        for (Map.Entry<Integer, Integer> e : cells.entrySet()) {
            flat[k++] = e.getKey();
            flat[k++] = e.getValue();
        }
        return new Counts(classes, flat, objects(pred, lab, h, w));
    }

    /**
     * Adds one image's counts; {@code predicted} (its predicted map, or null) is kept if the image is
     * among the {@link #KEPT_MAPS} worst so far.
     */
    public void add(Counts image, int[] predicted) {
        if (image.classes() != classes) {
            throw new IllegalArgumentException("image counts of " + image.classes() + " classes added to figures of " + classes);
        }
        int[] cells = image.cells;
        long[] inter = new long[classes];
        long[] union = new long[classes];
        for (int k = 0; k < cells.length; k += 2) {
            int label = cells[k] / classes;
            int pred = cells[k] % classes;
            confusion.add(label, pred, cells[k + 1]);
            union[label] += cells[k + 1];
            if (label == pred) {
                inter[label] += cells[k + 1];
            } else {
                union[pred] += cells[k + 1];
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (union[c] > 0) {
                sum += (double) inter[c] / union[c];
                present++;
            }
        }
        imageMiou.add(present == 0 ? Double.NaN : sum / present);
        if (predicted != null) {
            keepIfWorst(imageMiou.size() - 1, predicted);
        }
        imageCells.add(cells);
        int[] objects = image.objects;
        for (int k = 0; k < objects.length; k += 4) {
            Size s = Size.values()[objects[k]];
            int size = objects[k + 1];
            int tp = objects[k + 2];
            long[] f = pooled.get(s);
            f[0] += tp;
            f[1] += size - tp;
            f[2] += objects[k + 3];
            f[3]++;
            recallSum.merge(s, (double) tp / size, Double::sum);
        }
    }

    /** Every 4-connected component of a non-stuff class in the labels, scored against the prediction: {@link Counts#objects}. */
    private int[] objects(int[] pred, int[] lab, int h, int w) {
        List<Integer> out = new ArrayList<>();
        boolean[] seen = new boolean[lab.length];
        int[] queue = new int[lab.length];
        for (int start = 0; start < lab.length; start++) {
            int c = lab[start];
            if (seen[start] || c == SegSample.IGNORE || stuff.contains(c)) {
                continue;
            }
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            seen[start] = true;
            int top = h;
            int bottom = -1;
            int left = w;
            int right = -1;
            int tp = 0;
            while (head < tail) {
                int p = queue[head++];
                int y = p / w;
                int x = p % w;
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                left = Math.min(left, x);
                right = Math.max(right, x);
                tp += pred[p] == c ? 1 : 0;
                int[] next = {y > 0 ? p - w : -1, y < h - 1 ? p + w : -1, x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1};
                for (int q : next) {
                    if (q >= 0 && !seen[q] && lab[q] == c) {
                        seen[q] = true;
                        queue[tail++] = q;
                    }
                }
            }
            int size = tail;
            int fp = 0;
            for (int y = top; y <= bottom; y++) {
                for (int x = left; x <= right; x++) {
                    int p = y * w + x;
                    fp += pred[p] == c && lab[p] != c && lab[p] != SegSample.IGNORE ? 1 : 0;
                }
            }
            out.addAll(List.of(sizeOf((double) size / lab.length).ordinal(), size, tp, fp));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Keeps image {@code index}'s predicted map if it is among the {@link #KEPT_MAPS} worst so far, in
     * the order of {@link #worst} (lower mIoU first, then the earlier image), evicting the best kept.
     */
    private void keepIfWorst(int index, int[] pred) {
        double miou = imageMiou.get(index);
        if (Double.isNaN(miou) || classes > 256) {
            return;
        }
        if (worstMaps.size() == KEPT_MAPS) {
            int best = worstMaps.keySet().stream().max(Comparator.comparingDouble((Integer i) -> imageMiou.get(i))
                    .thenComparingInt(i -> i)).orElseThrow();
            if (!(miou < imageMiou.get(best))) {
                return;
            }
            worstMaps.remove(best);
        }
        byte[] map = new byte[pred.length];
        for (int i = 0; i < pred.length; i++) {
            map[i] = (byte) pred[i];
        }
        worstMaps.put(index, map);
    }

    /**
     * The predicted map (class ids, row-major) of image {@code index} if it is one of the
     * {@link #KEPT_MAPS} worst images, else null: what a report shows of the worst images.
     */
    public int[] worstPrediction(int index) {
        byte[] map = worstMaps.get(index);
        if (map == null) {
            return null;
        }
        int[] out = new int[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = map[i] & 0xff;
        }
        return out;
    }

    /** The size class of an object covering {@code share} of its image. */
    public static Size sizeOf(double share) {
        return share < SMALL_BELOW ? Size.SMALL : share >= LARGE_FROM ? Size.LARGE : Size.MEDIUM;
    }

    /** Per-image mIoU in the order the images were added (NaN for an image without valid pixels). */
    public double[] imageMiou() {
        return imageMiou.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The mean of the per-image mIoUs over images with valid pixels. */
    public double meanImageMiou() {
        return imageMiou.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Image {@code index}'s non-zero confusion cells as pairs (label·C + prediction, count). */
    int[] cells(int index) {
        return imageCells.get(index);
    }

    int classes() {
        return classes;
    }

    /** The number of images added. */
    public int images() {
        return imageMiou.size();
    }

    /** Per image the pixel accuracy on valid pixels, in the order added (NaN for an image without valid pixels). */
    public double[] imageAccuracy() {
        double[] acc = new double[imageCells.size()];
        for (int i = 0; i < acc.length; i++) {
            int[] c = imageCells.get(i);
            long correct = 0;
            long total = 0;
            for (int k = 0; k < c.length; k += 2) {
                total += c[k + 1];
                correct += c[k] / classes == c[k] % classes ? c[k + 1] : 0;
            }
            acc[i] = total == 0 ? Double.NaN : (double) correct / total;
        }
        return acc;
    }

    /**
     * The confusion matrix of the images at {@code indices} (in the order added) alone: the
     * data-set figures of a subset, e.g. of the images an expensive attack ran on, from the same
     * evaluation.
     */
    public ConfusionMatrix confusion(int[] indices) {
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        for (int i : indices) {
            int[] c = imageCells.get(java.util.Objects.checkIndex(i, imageCells.size()));
            for (int k = 0; k < c.length; k += 2) {
                cm.add(c[k] / classes, c[k] % classes, c[k + 1]);
            }
        }
        return cm;
    }

    /**
     * The figures a report shows: mean per-image mIoU, IoU by object size and the {@code worst}
     * worst images, each named by {@code ids} (the data set's sample id of an image index).
     */
    public ImageFigures figures(int worst, java.util.function.IntFunction<String> ids) {
        Map<String, ImageFigures.Size> sizes = new java.util.LinkedHashMap<>();
        bySize().forEach((size, f) -> sizes.put(size.name().toLowerCase(java.util.Locale.ROOT),
                new ImageFigures.Size(f.objects(), ImageFigures.orNull(f.iou()), ImageFigures.orNull(f.meanRecall()))));
        double[] accuracy = imageAccuracy();
        List<ImageFigures.Image> list = new ArrayList<>();
        for (ImageScore s : worst(worst)) {
            list.add(new ImageFigures.Image(s.index(), ids.apply(s.index()), s.miou(), ImageFigures.orNull(accuracy[s.index()])));
        }
        return new ImageFigures(images(), ImageFigures.orNull(meanImageMiou()), sizes, list);
    }

    /** The data-set-level confusion matrix of the same pixels (per-class IoU, mIoU). */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    /** Figures per object size class; IoU and recall NaN where a class has no objects. */
    public Map<Size, SizeFigures> bySize() {
        Map<Size, SizeFigures> m = new EnumMap<>(Size.class);
        for (Size s : Size.values()) {
            long[] f = pooled.get(s);
            long denominator = f[0] + f[1] + f[2];
            m.put(s, new SizeFigures((int) f[3], denominator == 0 ? Double.NaN : (double) f[0] / denominator,
                    f[3] == 0 ? Double.NaN : recallSum.get(s) / f[3]));
        }
        return m;
    }

    /** The {@code k} images with the lowest per-image mIoU, worst first (ties: earlier image first). */
    public List<ImageScore> worst(int k) {
        List<ImageScore> all = new ArrayList<>();
        for (int i = 0; i < imageMiou.size(); i++) {
            if (!imageMiou.get(i).isNaN()) {
                all.add(new ImageScore(i, imageMiou.get(i)));
            }
        }
        all.sort(Comparator.comparingDouble(ImageScore::miou).thenComparingInt(ImageScore::index));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }
}
