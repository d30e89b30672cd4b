package org.robustseg.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.robustseg.ProgressListener;
import org.robustseg.attack.AttackResult;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
import org.robustseg.batch.Batch;
import org.robustseg.batch.BatchLoader;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegDataset;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ImageStreams;

/**
 * Robustness curves: mIoU of a model under one attack at a series of budgets. Budget 0 is the
 * clean evaluation (no attack is run). An untargeted {@link Ensemble} (SEA) is scored member by
 * member and reported as its authors report it ({@link #curve}).
 *
 * <p>The unit of work is one batch ({@link #evaluateBatch}): every budget on its images, and per
 * image and budget an {@link ImagePoint} holding the image's integer counts
 * ({@link ImageMetrics.Counts}) — for an ensemble every member's, and which member the ensemble
 * keeps. A curve is these points merged in image order ({@link #curve}), so it is the same to the
 * last bit whatever order the batches ran in and wherever they ran: in this process
 * ({@link #evaluate}), or on cluster nodes whose points a driver merges. The attack draws its random
 * streams per image ({@link ImageStreams}, keyed by the image's id), never per batch.
 */
public final class Robustness {
    private Robustness() {}

    /**
     * One point of a curve.
     *
     * @param eps the budget (0 = clean)
     * @param metrics figures under attack at that budget; for an ensemble as SEA reports them (see
     *     {@link #curve}): pixel accuracy from the per-image worst case, mIoU and per-class IoU
     *     from the worst-case selection of {@link WorstCaseMiou}
     * @param images per-image and per-object figures of the same evaluation (for an ensemble: of the
     *     per-image worst case by accuracy, the images the ensemble returns)
     * @param seconds compute time of the attack and scoring, summed over the batches evaluated
     * @param ensemble an ensemble's members' own figures and its per-image choice; null for a single attack
     */
    public record Point(float eps, SegmentationMetrics metrics, ImageMetrics images, double seconds, Members ensemble) {
        public Point(float eps, SegmentationMetrics metrics, ImageMetrics images, double seconds) {
            this(eps, metrics, images, seconds, null);
        }

        /**
         * The figures on the images at {@code indices} alone (null: all): a single attack's from its
         * per-image results; an ensemble's as SEA reports them, the worst-case mIoU chosen anew on those images.
         */
        public SegmentationMetrics on(int[] indices) {
            if (indices == null && ensemble == null) {
                return metrics;
            }
            ConfusionMatrix byAccuracy = indices == null ? images.confusion() : images.confusion(indices);
            if (ensemble == null) {
                return byAccuracy.metrics();
            }
            WorstCaseMiou.Selection s = WorstCaseMiou.select(ensemble.members().stream().map(m -> m.point().images()).toList(),
                    ensemble.choice(), indices);
            SegmentationMetrics worst = s.confusion().metrics();
            return new SegmentationMetrics(worst.miou(), byAccuracy.pixelAccuracy(), worst.perClassIou(), byAccuracy.total());
        }
    }

    /** An ensemble member's figures: its name and its own point. */
    public record Member(String name, Point point) {}

    /**
     * An ensemble's members and, per image, the member whose result the ensemble keeps.
     *
     * @param members every member's own figures, in the ensemble's order
     * @param choice per image, the index of the member kept (lowest accuracy, then highest loss)
     */
    public record Members(List<Member> members, int[] choice) {}

    /**
     * One attack's (or one ensemble member's) result on one image.
     *
     * @param counts the image's counts under it
     * @param seconds the image's share of its batch's compute time for it
     * @param predicted the predicted map (class ids, row-major), kept only within one process for
     *     pictures of the worst images ({@link ImageMetrics#worstPrediction}); null in points that
     *     travel or are stored
     */
    public record ImageResult(ImageMetrics.Counts counts, double seconds, int[] predicted) implements Serializable {}

    /**
     * One image at one budget.
     *
     * @param index the image's position in the data set
     * @param id the image's id
     * @param eps the budget (0 = clean)
     * @param results the attack's result on the image; for an ensemble scored member by member
     *     ({@link #scoredByMember}), every member's, in the ensemble's order
     * @param kept the index in {@code results} of the result the attack returns (for an ensemble, the
     *     member with the lowest accuracy, then the highest loss: {@link Ensemble#worstMember}); 0 for a single attack
     */
    public record ImagePoint(int index, String id, float eps, List<ImageResult> results, int kept) implements Serializable {
        public ImagePoint {
            results = List.copyOf(results);
            if (kept < 0 || kept >= results.size()) {
                throw new IllegalArgumentException("kept result " + kept + " of " + results.size() + " for image " + id);
            }
        }

        /** The image's counts under the attack (an ensemble's: the member kept). */
        public ImageMetrics.Counts counts() {
            return results.get(kept).counts();
        }

        /** This point without predicted maps: what is stored or sent to another process. */
        public ImagePoint withoutPredictions() {
            return new ImagePoint(index, id, eps, results.stream().map(r -> new ImageResult(r.counts(), r.seconds(), null)).toList(), kept);
        }
    }

    /** Evaluates {@code model} on {@code data} under {@code attack} at each budget in {@code eps}. */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack, List<Float> eps,
                                       int batchSize, ProgressListener progress) {
        return evaluate(model, data, attack, null, eps, batchSize, progress);
    }

    /**
     * Like {@link #evaluate(SegmentationModel, SegDataset, BudgetedAttack, List, int, ProgressListener)}
     * for a targeted attack: {@code target} turns each batch's true labels into the target map the
     * attack pursues (e.g. {@code y -> Targets.everyPixel(y, 0, C)}); metrics stay against the truth.
     * The batches run one after the other through {@link #evaluateBatch} and are merged as they come,
     * in image order, by the same code as {@link #curve}.
     */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack,
                                       UnaryOperator<NDArray> target, List<Float> eps, int batchSize,
                                       ProgressListener progress) {
        checkClasses(model, data);
        Merge merge = new Merge(attack, target, eps, data.classes());
        progress.start("attack " + data.name() + " under " + attack.settings().get("name"), data.size());
        int first = 0;
        // closed explicitly: a failing batch must not leave the loader thread running
        try (BatchLoader.Batches batches = BatchLoader.sequential(data, batchSize).iterator()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                // predicted maps kept for pictures of the worst images, dropped once merged
                evaluateBatch(model, data.classes(), batch, first, attack, target, eps, true).forEach(merge::add);
                first += batch.size();
                progress.advance(batch.size(), null);
            }
        }
        progress.finish();
        return merge.curve();
    }

    /** With defaults: batch 16, no progress output. */
    public static List<Point> evaluate(SegmentationModel model, SegDataset data, BudgetedAttack attack, List<Float> eps) {
        return evaluate(model, data, attack, eps, 16, ProgressListener.NONE);
    }

    /**
     * Whether {@code attack} at budget {@code eps} is scored member by member: an untargeted
     * ensemble above budget 0. SEA's figures need every member's per-image results (its mIoU is a
     * per-image choice among them, {@link WorstCaseMiou}), not only the images the ensemble returns.
     */
    public static boolean scoredByMember(BudgetedAttack attack, UnaryOperator<NDArray> target, float eps) {
        return eps > 0 && target == null && attack instanceof Ensemble;
    }

    /**
     * One batch at every budget: per budget (in {@code eps}'s order), per image (in batch order),
     * the image's point, without predicted maps. {@code classes} are the data set's (their names
     * decide which classes form no objects); {@code firstIndex} is the data-set index of the batch's
     * first image. Each budget runs in its own NDManager, so memory stays flat however many there are.
     */
    public static List<ImagePoint> evaluateBatch(SegmentationModel model, ClassSet classes, Batch batch, int firstIndex,
                                                 BudgetedAttack attack, UnaryOperator<NDArray> target, List<Float> eps) {
        return evaluateBatch(model, classes, batch, firstIndex, attack, target, eps, false);
    }

    private static List<ImagePoint> evaluateBatch(SegmentationModel model, ClassSet classes, Batch batch, int firstIndex,
                                                  BudgetedAttack attack, UnaryOperator<NDArray> target, List<Float> eps,
                                                  boolean keepPredictions) {
        if (classes.size() != model.numClasses()) {
            throw new IllegalArgumentException(classes.size() + " classes but model " + model.name() + " predicts " + model.numClasses());
        }
        ImageMetrics counter = ImageMetrics.of(classes);
        long[] keys = ImageStreams.keys(batch.ids());
        int n = batch.size();
        int plane = batch.height() * batch.width();
        List<ImagePoint> points = new ArrayList<>();
        for (float e : eps) {
            try (NDManager m = model.manager().newSubManager()) {
                NDArray images = batch.images(m);
                NDArray labels = batch.labels(m);
                List<BudgetedAttack> runs = scoredByMember(attack, target, e) ? ((Ensemble) attack.eps(e).imageKeys(keys)).members()
                        : e == 0 ? java.util.Collections.singletonList(null) : List.of(attack.eps(e).imageKeys(keys));
                List<float[]> accuracy = new ArrayList<>();
                List<float[]> loss = new ArrayList<>();
                List<List<ImageResult>> perRun = new ArrayList<>();
                for (BudgetedAttack run : runs) {
                    long t0 = System.nanoTime();
                    NDArray x = images;
                    if (run != null) {
                        AttackResult r = run.perturb(model, images, target == null ? labels : target.apply(labels));
                        x = r.adversarial();
                        accuracy.add(r.accuracy());
                        loss.add(r.loss());
                    }
                    int[] predicted = model.logits(x).argMax(1).toType(DataType.INT32, false).toIntArray();
                    List<ImageResult> results = new ArrayList<>();
                    int[][] maps = new int[n][];
                    for (int i = 0; i < n; i++) {
                        maps[i] = Arrays.copyOfRange(predicted, i * plane, (i + 1) * plane);
                    }
                    double share = (System.nanoTime() - t0) / 1e9 / n;
                    for (int i = 0; i < n; i++) {
                        ImageMetrics.Counts c = counter.count(maps[i], Arrays.copyOfRange(batch.labelData(), i * plane, (i + 1) * plane),
                                batch.height(), batch.width());
                        results.add(new ImageResult(c, share, keepPredictions ? maps[i] : null));
                    }
                    perRun.add(results);
                }
                int[] kept = scoredByMember(attack, target, e) ? Ensemble.worstMember(accuracy, loss) : new int[n];
                for (int i = 0; i < n; i++) {
                    List<ImageResult> results = new ArrayList<>();
                    for (List<ImageResult> r : perRun) {
                        results.add(r.get(i));
                    }
                    points.add(new ImagePoint(firstIndex + i, batch.ids().get(i), e, results, kept[i]));
                }
            }
        }
        return points;
    }

    /**
     * The curve at {@code eps} from per-image points of every image of a data set with
     * {@code classes} (any order; each image once per budget): the points are merged in image order.
     * Integer counts and a fixed order, so the same points give the same figures to the last bit
     * however they were computed. For an ensemble scored member by member, the point is reported as
     * SEA (Croce, Singh &amp; Hein 2023) reports it: pixel accuracy (aACC) from the per-image worst
     * case, the images the ensemble returns; mIoU from a per-image choice among the members that
     * minimises the data-set mIoU ({@link WorstCaseMiou}), never above the per-accuracy choice or any
     * member; every member's own figures beside it.
     */
    public static List<Point> curve(BudgetedAttack attack, UnaryOperator<NDArray> target, List<Float> eps, ClassSet classes,
                                    Collection<ImagePoint> points) {
        Merge merge = new Merge(attack, target, eps, classes);
        points.stream().sorted(Comparator.comparingInt(ImagePoint::index)).forEach(merge::add);
        return merge.curve();
    }

    /**
     * Points merged budget by budget, in image order (each budget's points must arrive as images
     * 0, 1, 2, …): for a single attack one {@link ImageMetrics}; for an ensemble scored member by
     * member one per member, one of the images kept, and the choice.
     */
    private static final class Merge {
        private final BudgetedAttack attack;
        private final List<Float> eps;
        private final List<Budget> budgets = new ArrayList<>();

        Merge(BudgetedAttack attack, UnaryOperator<NDArray> target, List<Float> eps, ClassSet classes) {
            this.attack = attack;
            this.eps = List.copyOf(eps);
            for (float e : eps) {
                int members = scoredByMember(attack, target, e) ? ((Ensemble) attack).members().size() : 1;
                budgets.add(new Budget(classes, members, scoredByMember(attack, target, e)));
            }
        }

        void add(ImagePoint p) {
            int b = eps.indexOf(p.eps());
            if (b < 0) {
                throw new IllegalArgumentException("image " + p.id() + " was evaluated at eps " + p.eps() + ", not one of " + eps);
            }
            budgets.get(b).add(p);
        }

        List<Point> curve() {
            List<Point> curve = new ArrayList<>();
            for (int b = 0; b < eps.size(); b++) {
                curve.add(budgets.get(b).point(eps.get(b), attack));
            }
            return curve;
        }
    }

    /** One budget's merged figures. */
    private static final class Budget {
        private final ImageMetrics kept;
        private final List<ImageMetrics> members = new ArrayList<>();
        private final double[] seconds;
        private final List<Integer> choice = new ArrayList<>();

        Budget(ClassSet classes, int members, boolean byMember) {
            this.kept = ImageMetrics.of(classes);
            this.seconds = new double[members];
            for (int k = 0; k < members && byMember; k++) {
                this.members.add(ImageMetrics.of(classes));
            }
        }

        void add(ImagePoint p) {
            if (p.index() != choice.size()) {
                throw new IllegalArgumentException("image " + p.id() + " (index " + p.index() + ") arrived where image " + choice.size()
                        + " was expected at eps " + p.eps() + ": an image is missing or came twice");
            }
            if (p.results().size() != seconds.length) {
                throw new IllegalArgumentException("image " + p.id() + " holds " + p.results().size() + " results at eps " + p.eps()
                        + " where the attack gives " + seconds.length);
            }
            ImageResult k = p.results().get(p.kept());
            kept.add(k.counts(), k.predicted());
            for (int m = 0; m < members.size(); m++) {
                members.get(m).add(p.results().get(m).counts(), p.results().get(m).predicted());
            }
            for (int m = 0; m < seconds.length; m++) {
                seconds[m] += p.results().get(m).seconds();
            }
            choice.add(p.kept());
        }

        Point point(float e, BudgetedAttack attack) {
            double total = Arrays.stream(seconds).sum();
            if (members.isEmpty()) {
                return new Point(e, kept.confusion().metrics(), kept, total);
            }
            Ensemble ensemble = (Ensemble) attack;
            List<Member> list = new ArrayList<>();
            for (int k = 0; k < members.size(); k++) {
                ImageMetrics m = members.get(k);
                list.add(new Member(ensemble.members().get(k).name(), new Point(e, m.confusion().metrics(), m, seconds[k])));
            }
            Point shell = new Point(e, kept.confusion().metrics(), kept, total,
                    new Members(list, choice.stream().mapToInt(Integer::intValue).toArray()));
            return new Point(e, shell.on(null), kept, total, shell.ensemble());
        }
    }

    private static void checkClasses(SegmentationModel model, SegDataset data) {
        if (data.classes().size() != model.numClasses()) {
            throw new IllegalArgumentException("data set " + data.name() + " has " + data.classes().size()
                    + " classes but model " + model.name() + " predicts " + model.numClasses());
        }
    }
}
