package org.robustseg.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Objects;
import org.robustseg.Fluent;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Apgd;
import org.robustseg.optim.Direction;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.optim.IterationListener;
import org.robustseg.optim.Mask;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.PixelAccuracy;
import org.robustseg.optim.PixelCrossEntropy;
import org.robustseg.optim.Result;
import org.robustseg.optim.Selection;
import org.robustseg.optim.StepSchedule;

/**
 * A gradient attack: one configuration of {@link InputOptimizer}. FGSM, BIM, PGD, SegPGD and
 * targeted attacks are instances with different defaults (see {@link Attacks}). Immutable ({@link Fluent}); each
 * setter returns a modified copy. By default, per image the worst case over iterations and
 * restarts is kept: lowest pixel accuracy on valid pixels, ties broken by the objective (for a
 * targeted attack: highest agreement with the target). Note that without a random start the
 * first iterate is the clean image, so keeping the best makes the attack never worse than clean;
 * {@link #keepBest(boolean) keepBest(false)} returns the last iterate instead, as FGSM does.
 */
public final class GradientAttack extends Fluent<GradientAttack> implements BudgetedAttack {
    private String name;
    private Norm norm;
    private float eps;
    private float stepSize = Float.NaN; // NaN: the schedule's default (2.5·eps/steps for PGD, 2·eps for APGD)
    private int steps;
    private int restarts = 1;
    private boolean randomStart;
    private long seed;
    private Objective objective = Objectives.crossEntropy();
    private Direction direction = Direction.MAXIMISE;
    private Mask mask;
    private boolean keepBest = true;
    private StepSchedule schedule = StepSchedule.FIXED;
    private Radii radii = Radii.single();
    private long[] imageKeys;
    private IterationListener listener = IterationListener.NONE;

    GradientAttack(String name, Norm norm, float eps, int steps) {
        this.name = name;
        this.norm = Objects.requireNonNull(norm, "norm");
        this.eps = checkEps(norm, eps);
        this.steps = checkSteps(steps);
    }

    /** Perturbation budget in {@link #norm()} units (pixel values in [0,1]). */
    @Override
    public GradientAttack eps(float value) {
        float checked = checkEps(norm, value);
        return with(c -> c.eps = checked);
    }

    /** Size of one step (APGD: the initial one); default 2.5·eps/steps (Madry et al.), 2·eps under APGD. */
    public GradientAttack stepSize(float value) {
        if (!(value >= 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("stepSize must be a finite number >= 0, got " + value);
        }
        return with(c -> c.stepSize = value);
    }

    /** Number of gradient steps per restart. */
    public GradientAttack steps(int value) {
        int checked = checkSteps(value);
        return with(c -> c.steps = checked);
    }

    /** Independent runs; per image the worst case over all of them is kept. */
    public GradientAttack restarts(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("restarts must be >= 1, got " + value);
        }
        return with(c -> c.restarts = value);
    }

    /** Start each restart uniformly in the ball instead of at the clean image (PGD). */
    public GradientAttack randomStart(boolean value) {
        return with(c -> c.randomStart = value);
    }

    /** Seed of the random starts, so that an attack is reproducible. */
    public GradientAttack seed(long value) {
        return with(c -> c.seed = value);
    }

    @Override
    public GradientAttack imageKeys(long[] keys) {
        long[] copy = keys == null ? null : keys.clone();
        return with(c -> c.imageKeys = copy);
    }

    /** The objective the attack optimises (default pixel CE). */
    public GradientAttack objective(Objective value) {
        Objects.requireNonNull(value, "objective");
        return with(c -> c.objective = value);
    }

    /** By name, as {@link Objectives#parse}: ce, masked-ce, balanced-ce, js, masked-spherical, masked-margin. */
    public GradientAttack objective(String value) {
        return objective(Objectives.parse(value));
    }

    /** Only pixels inside {@code value} may be perturbed (null: all). */
    public GradientAttack mask(Mask value) {
        return with(c -> c.mask = value);
    }

    /**
     * true (default): per image the worst iterate over the run (which, without a random start,
     * includes the clean image); false: the last iterate, best over restarts still. The field's
     * FGSM returns its one attacked image, even where it happens to do less harm than no attack.
     */
    public GradientAttack keepBest(boolean value) {
        return with(c -> c.keepBest = value);
    }

    public boolean keepBest() {
        return keepBest;
    }

    /** How iterates follow each other: {@link StepSchedule#FIXED} (PGD, default) or {@link Apgd}. */
    public GradientAttack schedule(StepSchedule value) {
        Objects.requireNonNull(value, "schedule");
        return with(c -> c.schedule = value);
    }

    /** A progressive radius ({@link Radii#sea()}: 2ε, 1.5ε, ε); default one stage at eps. */
    public GradientAttack radii(Radii value) {
        Objects.requireNonNull(value, "radii");
        return with(c -> c.radii = value);
    }

    /**
     * Watches every iterate of every run (live progress; throwing stops the attack, see
     * {@link IterationListener}); not a setting, so not in {@link #settings()}.
     */
    public GradientAttack listener(IterationListener value) {
        Objects.requireNonNull(value, "listener");
        return with(c -> c.listener = value);
    }

    public StepSchedule schedule() {
        return schedule;
    }

    public Radii radii() {
        return radii;
    }

    GradientAttack named(String value) {
        return with(c -> c.name = value);
    }

    GradientAttack direction(Direction value) {
        return with(c -> c.direction = value);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Norm norm() {
        return norm;
    }

    @Override
    public float eps() {
        return eps;
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", name);
        m.put("norm", norm.name().toLowerCase(java.util.Locale.ROOT));
        m.put("eps", eps);
        m.put("steps", steps);
        m.put("step_size", stepSize());
        m.put("restarts", restarts);
        m.put("random_start", randomStart);
        m.put("seed", seed);
        m.put("loss", objective.name()); // the recorded key predates the name "objective"
        m.put("direction", direction.name().toLowerCase(java.util.Locale.ROOT));
        m.put("keep_best", keepBest);
        if (schedule != StepSchedule.FIXED) { // absent for PGD, so recorded PGD settings are unchanged
            m.put("schedule", schedule.name());
        }
        if (!radii.isSingle()) {
            m.put("radii", radii.factors());
            m.put("radius_step_fractions", radii.fractions());
        }
        return m;
    }

    public float stepSize() {
        return Float.isNaN(stepSize) ? schedule.defaultStepSize(eps, steps) : stepSize;
    }

    public int steps() {
        return steps;
    }

    public int restarts() {
        return restarts;
    }

    public long seed() {
        return seed;
    }

    public Objective objective() {
        return objective;
    }

    /** The loop this attack runs, for callers that want the raw {@link Result} (e.g. adversarial training). */
    public InputOptimizer optimizer() {
        return optimizer(eps, steps, stepSize(), randomStart);
    }

    private InputOptimizer optimizer(float radius, int stageSteps, float stageStepSize, boolean stageRandomStart) {
        return InputOptimizer.of(norm.step(radius, stageStepSize).mask(mask), objective)
                .direction(direction)
                .steps(stageSteps)
                .restarts(restarts)
                .randomStart(stageRandomStart)
                .seed(seed)
                .imageKeys(imageKeys)
                .keepBest(keepBest)
                .selection(Selection.ACCURACY)
                .schedule(schedule)
                .listener(listener);
    }

    /**
     * Runs the loop; under a progressive radius, one run per stage, each from where the previous
     * ended (a random start, if any, only for the first), the result the last stage's, at eps.
     */
    @Override
    public AttackResult perturb(SegmentationModel model, NDArray images, NDArray labels) {
        if (radii.isSingle()) {
            return evaluate(model, optimizer().run(model, images, labels).xBest(), labels);
        }
        int[] split = radii.split(steps);
        NDArray at = null;
        for (int k = 0; k < split.length; k++) {
            boolean last = k == split.length - 1;
            if (split[k] == 0 && !last) {
                continue;
            }
            float factor = radii.factors().get(k);
            float radius = norm == Norm.LINF ? Math.min(1f, factor * eps) : factor * eps;
            // an explicit step size keeps its ratio to the radius; otherwise the schedule's default at this radius
            float size = Float.isNaN(stepSize) ? schedule.defaultStepSize(radius, Math.max(1, split[k])) : stepSize * factor;
            Result r = optimizer(radius, split[k], size, randomStart && at == null).run(model, images, at, labels);
            if (at != null) {
                at.close();
            }
            at = r.xBest();
        }
        return evaluate(model, at, labels);
    }

    /** Accuracy and CE of {@code adversarial} against {@code labels}, the figures attacks are compared by. */
    static AttackResult evaluate(SegmentationModel model, NDArray adversarial, NDArray labels) {
        try (NDManager m = adversarial.getManager().newSubManager()) {
            NDArray x = adversarial.duplicate();
            x.attach(m);
            NDArray logits = model.logits(x);
            return new AttackResult(adversarial, PixelAccuracy.perSample(logits, labels).toFloatArray(),
                    PixelCrossEntropy.perSample(logits, labels).toFloatArray());
        }
    }

    @Override
    public String toString() {
        return name + "(norm=" + norm + ", eps=" + eps + ", stepSize=" + stepSize() + ", steps=" + steps + ", restarts="
                + restarts + ", randomStart=" + randomStart + ", seed=" + seed + ", loss=" + objective.name() + ", " + direction
                + (keepBest ? "" : ", last iterate") + (schedule == StepSchedule.FIXED ? "" : ", " + schedule)
                + (radii.isSingle() ? "" : ", radii=" + radii.factors()) + ")";
    }

    static float checkEps(Norm norm, float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
        }
        if (norm == Norm.LINF && eps > 1) {
            throw new IllegalArgumentException("eps must be <= 1 for linf (pixel values lie in [0,1]), got " + eps);
        }
        return eps;
    }

    static int checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        return steps;
    }
}
