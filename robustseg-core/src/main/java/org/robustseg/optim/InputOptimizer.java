package org.robustseg.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.robustseg.Fluent;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;

/**
 * The one input-space optimisation loop: move x along the input gradient of an objective, let
 * the {@link Step} project it back into the allowed set, and keep per image the best iterate
 * (over iterations and restarts) by a {@link Selection}. Attacks, the inner maximisation of
 * adversarial training, inpainting and generation are presets over it.
 *
 * <p>Every iterate is scored by the objective evaluated at its final parameters (the context's
 * step set to the number of steps), whatever step the loop itself was at: the
 * loss the selection compares, the loss in the {@link Result} and in the {@link Trace} are all
 * this one fixed function, so a scheduled objective cannot make an earlier, weaker iterate win.
 *
 * <p>Immutable ({@link Fluent}); every setter returns a modified copy, so one configured optimizer can be
 * shared and varied (e.g. in an eps sweep). Each iteration runs in its own {@link NDManager}
 * (plus an {@link NDScope} for arrays the engine puts elsewhere); only the current iterate and
 * the best one are carried over, so memory stays flat however many iterations run. An
 * {@link IterationListener} sees every evaluated iterate (live progress) and may stop the run by
 * throwing; every array of the run lives in the run's manager and is freed on the way out.
 *
 * <pre>{@code
 * Result r = InputOptimizer.of(new LinfStep(8 / 255f, 2 / 255f), Objectives.crossEntropy())
 *         .steps(10).randomStart(true).restarts(2).seed(0)
 *         .run(model, images, labels);
 * }</pre>
 */
public final class InputOptimizer extends Fluent<InputOptimizer> {
    private Step step;
    private Objective objective;
    private Direction direction = Direction.MAXIMISE;
    private int steps = 10;
    private int restarts = 1;
    private boolean randomStart;
    private long seed;
    private GradientTransform gradientTransform = GradientTransform.identity();
    private ForwardMode forwardMode = ForwardMode.EVAL;
    private Selection selection = Selection.LOSS;
    private StepSchedule schedule = StepSchedule.FIXED;
    private boolean keepBest = true;
    private boolean evaluateLast = true;
    private long[] imageKeys;
    private IterationListener listener = IterationListener.NONE;

    private InputOptimizer(Step step, Objective objective) {
        this.step = Objects.requireNonNull(step, "step");
        this.objective = Objects.requireNonNull(objective, "objective");
    }

    /** A loop with the given geometry and objective; maximising, 10 steps, 1 restart, no random start. */
    public static InputOptimizer of(Step step, Objective objective) {
        return new InputOptimizer(step, objective);
    }

    /** The DESIGN one-liner: {@code steps} steps from x0 itself, best iterate per image by loss. */
    public static Result run(SegmentationModel model, NDArray x0, NDArray target, Objective objective, Step step,
            int steps, Direction direction) {
        return of(step, objective).steps(steps).direction(direction).run(model, x0, target);
    }

    /** The geometry of one move and of the allowed set. */
    public InputOptimizer step(Step value) {
        Objects.requireNonNull(value, "step");
        return with(c -> c.step = value);
    }

    /** What the loop optimises. */
    public InputOptimizer objective(Objective value) {
        Objects.requireNonNull(value, "objective");
        return with(c -> c.objective = value);
    }

    /** MAXIMISE (untargeted attacks, the inner maximisation) or MINIMISE (targeted attacks, synthesis). */
    public InputOptimizer direction(Direction value) {
        Objects.requireNonNull(value, "direction");
        return with(c -> c.direction = value);
    }

    /** Number of gradient steps per restart (0: only evaluate the start point). */
    public InputOptimizer steps(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + value);
        }
        return with(c -> c.steps = value);
    }

    /** Independent runs; per image the best over all runs is kept. */
    public InputOptimizer restarts(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("restarts must be >= 1, got " + value);
        }
        return with(c -> c.restarts = value);
    }

    /** Start each restart from {@link Step#randomStart} instead of x0 (PGD). */
    public InputOptimizer randomStart(boolean value) {
        return with(c -> c.randomStart = value);
    }

    /** Seed of the random starts; restart k uses the k-th split of {@code SplittableRandom(seed)}. */
    public InputOptimizer seed(long value) {
        return with(c -> c.seed = value);
    }

    /**
     * Random streams per image: image i of the next batch draws its random starts from the stream
     * of (seed, {@code keys[i]}) alone ({@link ImageStreams}), restart k from that stream's k-th
     * split, so its result cannot depend on which images share its batch or where it sits in it.
     * Null (the default): one stream for the whole batch, restart k its k-th split, as training's
     * streams derived from (seed, epoch, batch, restart) need.
     */
    public InputOptimizer imageKeys(long[] keys) {
        long[] copy = keys == null ? null : keys.clone();
        return with(c -> c.imageKeys = copy);
    }

    /** Applied to each (direction-signed) gradient before the step, e.g. a Gaussian blur. */
    public InputOptimizer gradientTransform(GradientTransform value) {
        Objects.requireNonNull(value, "gradientTransform");
        return with(c -> c.gradientTransform = value);
    }

    /** The BatchNorm/dropout mode of the forward passes (EVAL for attacks, TRAINING for some recipes). */
    public InputOptimizer forwardMode(ForwardMode value) {
        Objects.requireNonNull(value, "forwardMode");
        return with(c -> c.forwardMode = value);
    }

    /**
     * How one iterate becomes the next: {@link StepSchedule#FIXED} (default, PGD's fixed step) or
     * {@link Apgd} (adaptive per-image step sizes, momentum, restarts from the best point). A fresh
     * per-run state is started for every restart.
     */
    public InputOptimizer schedule(StepSchedule value) {
        Objects.requireNonNull(value, "schedule");
        return with(c -> c.schedule = value);
    }

    /** The criterion by which the best iterate per image is kept. */
    public InputOptimizer selection(Selection value) {
        Objects.requireNonNull(value, "selection");
        return with(c -> c.selection = value);
    }

    /** true (default): keep each image's best iterate; false: its last iterate (best over restarts still). */
    public InputOptimizer keepBest(boolean value) {
        return with(c -> c.keepBest = value);
    }

    /**
     * false: the last iterate is returned without the forward pass that scores it (its loss and
     * accuracy are NaN). Adversarial training only needs the images, and that pass costs a third
     * of an attack step; FGSM-based fast AT saves about 15% of its step. Needs {@code keepBest(false)}
     * and one restart, since nothing is left to compare.
     */
    public InputOptimizer evaluateLast(boolean value) {
        return with(c -> c.evaluateLast = value);
    }

    /**
     * Called once per evaluated iterate with its loss and images (see {@link IterationListener}); a
     * listener that throws stops the run between two steps and every array of the run is freed.
     */
    public InputOptimizer listener(IterationListener value) {
        Objects.requireNonNull(value, "listener");
        return with(c -> c.listener = value);
    }

    public IterationListener listener() {
        return listener;
    }

    public Step step() {
        return step;
    }

    public Objective objective() {
        return objective;
    }

    public Direction direction() {
        return direction;
    }

    public int steps() {
        return steps;
    }

    public int restarts() {
        return restarts;
    }

    public boolean randomStart() {
        return randomStart;
    }

    public long seed() {
        return seed;
    }

    public Selection selection() {
        return selection;
    }

    public StepSchedule schedule() {
        return schedule;
    }

    /**
     * Runs the loop on images {@code x0} (N×3×H×W in [0,1]) against the target label map
     * {@code target} (N×H×W). The result's array lives in x0's manager.
     */
    public Result run(SegmentationModel model, NDArray x0, NDArray target) {
        return run(model, x0, null, target);
    }

    /**
     * Like {@link #run(SegmentationModel, NDArray, NDArray)}, but every restart starts from
     * {@code start} projected into the allowed set around x0 (null: x0, or a random start) —
     * how a staged attack continues at a smaller radius from where the larger one ended.
     */
    public Result run(SegmentationModel model, NDArray x0, NDArray start, NDArray target) {
        checkInputs(x0, target);
        if (start != null && randomStart) {
            throw new IllegalStateException("a given start point and randomStart(true) exclude each other");
        }
        if (!evaluateLast && (keepBest || restarts > 1)) {
            throw new IllegalStateException("evaluateLast(false) needs keepBest(false) and one restart");
        }
        int n = (int) x0.getShape().get(0);
        if (imageKeys != null && imageKeys.length != n) {
            throw new IllegalArgumentException("imageKeys holds " + imageKeys.length + " keys for a batch of " + n + " images");
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        SplittableRandom[] perImage = imageKeys == null ? null : new SplittableRandom[n];
        for (int i = 0; perImage != null && i < n; i++) {
            perImage[i] = ImageStreams.generator(seed, imageKeys[i]);
        }
        Kept kept = new Kept(n);
        List<float[]> trace = new ArrayList<>();
        try (NDManager runManager = x0.getManager().newSubManager();
                FrozenParameters frozen = new FrozenParameters(model, forwardMode)) {
            for (int r = 0; r < restarts; r++) {
                RandomGenerator rng = seeds.split();
                List<RandomGenerator> rngs = null;
                if (perImage != null) {
                    rngs = new ArrayList<>();
                    for (SplittableRandom g : perImage) {
                        rngs.add(g.split());
                    }
                }
                Kept one = runOnce(model, x0, start, target, rng, rngs, runManager, trace, r);
                kept.merge(one, runManager);
                one.close();
            }
            kept.x.attach(x0.getManager());
        }
        return new Result(kept.x, kept.loss, kept.accuracy, new Trace(restarts, steps, trace));
    }

    /** One restart; {@code rngs}: the images' own generators (null: {@code rng} for the whole batch). */
    private Kept runOnce(SegmentationModel model, NDArray x0, NDArray start, NDArray target, RandomGenerator rng,
            List<RandomGenerator> rngs, NDManager runManager, List<float[]> trace, int restart) {
        Kept best = new Kept((int) x0.getShape().get(0));
        NDArray x = start != null ? step.project(start, x0)
                : !randomStart ? x0.duplicate()
                : rngs == null ? step.randomStart(x0, rng) : step.randomStart(x0, rngs);
        x.attach(runManager);
        try (StepSchedule.Run moves = schedule.start(step, x0, steps, runManager)) {
            iterate(model, x0, target, x, best, moves, runManager, trace, restart);
        }
        return best;
    }

    private void iterate(SegmentationModel model, NDArray x0, NDArray target, NDArray start, Kept best,
            StepSchedule.Run moves, NDManager runManager, List<float[]> trace, int restart) {
        NDArray x = start;
        for (int t = 0; t <= steps; t++) {
            try (NDManager iteration = runManager.newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                x.attach(iteration); // the current iterate dies with this iteration unless kept below
                Objective.Context at = new Objective.Context(x, x0, null, target, t, steps);
                NDArray loss;
                NDArray logits;
                NDArray gradient = null;
                if (t == steps && !evaluateLast) {
                    float[] unknown = new float[(int) x.getShape().get(0)];
                    java.util.Arrays.fill(unknown, Float.NaN);
                    best.offer(x, unknown, unknown.clone(), true, runManager);
                    break;
                }
                if (t < steps) {
                    InputGradient g = InputGradient.of(model, at, objective, forwardMode);
                    logits = g.logits();
                    gradient = g.gradient();
                } else { // the last iterate is only evaluated
                    logits = model.forward(x, forwardMode == ForwardMode.TRAINING).get(0);
                }
                // Iterates are compared on one fixed criterion: the objective at its final parameters
                // (step = steps), not the value the step was taken on. A scheduled objective
                // (SegPGD's λ) changes scale over the run, so comparing its raw values across
                // iterations would pick an iterate for its λ rather than for its damage. On the logits
                // already computed, this costs no forward pass.
                loss = objective.perSample(new Objective.Context(x, x0, logits, target, steps, steps));
                InputGradient.checkLoss(loss, objective, x);
                float[] lossValues = loss.toFloatArray();
                float[] accuracy = PixelAccuracy.perSample(logits, target).toFloatArray();
                trace.add(lossValues);
                listener.iterate(new Iteration(restart, restarts, t, steps, lossValues, x));
                if (keepBest || t == steps) {
                    best.offer(x, lossValues, accuracy, !keepBest, runManager);
                }
                if (gradient != null) {
                    NDArray ascent = gradientTransform.apply(OwnedArrays.mul(gradient, direction.sign()));
                    float[] progress = lossValues.clone();
                    for (int i = 0; i < progress.length; i++) {
                        progress[i] *= direction.sign();
                    }
                    x = moves.next(t, x, ascent, progress);
                    NDScope.unregister(x);
                    x.attach(runManager);
                }
            }
        }
    }

    private void checkInputs(NDArray x0, NDArray target) {
        Shape xs = x0.getShape();
        Shape ts = target.getShape();
        if (xs.dimension() != 4) {
            throw new IllegalArgumentException("images must be N×C×H×W, got shape " + xs);
        }
        if (ts.dimension() != 3 || ts.get(0) != xs.get(0) || ts.get(1) != xs.get(2) || ts.get(2) != xs.get(3)) {
            throw new IllegalArgumentException("target label map of shape " + ts + " does not match images of shape "
                    + xs + " (expected " + new Shape(xs.get(0), xs.get(2), xs.get(3)) + ")");
        }
        float min;
        float max;
        try (NDArray lo = x0.min(); NDArray hi = x0.max()) {
            min = lo.getFloat();
            max = hi.getFloat();
        }
        if (!(min >= 0 && max <= 1)) {
            throw new IllegalArgumentException("images must lie in [0,1], got values in [" + min + ", " + max + "]");
        }
    }

    @Override
    public String toString() {
        return "InputOptimizer(" + step + ", " + objective.name() + ", " + direction + ", steps=" + steps
                + ", restarts=" + restarts + ", randomStart=" + randomStart + ", seed=" + seed + ", selection=" + selection
                + (schedule == StepSchedule.FIXED ? "" : ", schedule=" + schedule) + ")";
    }

    /** The per-image best iterate with its figures; the array lives in the run's manager until handed out. */
    private final class Kept implements AutoCloseable {
        NDArray x;
        final float[] loss;
        final float[] accuracy;

        Kept(int n) {
            loss = new float[n];
            accuracy = new float[n];
        }

        /** Takes the candidate's images that are strictly better (all of them if {@code force}). */
        void offer(NDArray candidate, float[] candLoss, float[] candAccuracy, boolean force, NDManager home) {
            int n = loss.length;
            boolean[] take = new boolean[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                take[i] = x == null || force
                        || Selection.better(selection.primary(direction, candLoss[i], candAccuracy[i]), selection.secondary(direction, candLoss[i]),
                                selection.primary(direction, loss[i], accuracy[i]), selection.secondary(direction, loss[i]));
                if (take[i]) {
                    loss[i] = candLoss[i];
                    accuracy[i] = candAccuracy[i];
                    any = true;
                }
            }
            if (!any) {
                return;
            }
            NDArray next = x == null ? candidate.duplicate()
                    : Step.select(OwnedArrays.of(candidate.getManager(), take, new Shape(n, 1, 1, 1)), candidate, x);
            NDScope.unregister(next);
            next.attach(home);
            if (x != null) {
                x.close();
            }
            x = next;
        }

        /** Per image, the better of this and {@code other} (restarts); ties keep this one. */
        void merge(Kept other, NDManager home) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                offer(other.x, other.loss, other.accuracy, false, home);
            }
        }

        @Override
        public void close() {
            if (x != null) {
                x.close();
            }
        }
    }
}
