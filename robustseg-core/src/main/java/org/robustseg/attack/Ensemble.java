package org.robustseg.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;

/**
 * Runs several attacks and keeps, per image, the worst case: the lowest pixel accuracy on valid
 * pixels, ties broken by the higher cross-entropy; on a full tie the earlier member wins. SEA
 * (Croce et al. 2023) is this ensemble over its four losses. Never weaker per image than any member.
 * Members are any budgeted attacks: gradient attacks, and black-box ones such as
 * {@link SquareAttack} ({@link #plus}); the step settings ({@link #steps}, {@link #stepSize},
 * {@link #restarts}) reach the gradient members only.
 */
public final class Ensemble implements BudgetedAttack {
    private final String name;
    private final List<BudgetedAttack> members;

    Ensemble(String name, List<? extends BudgetedAttack> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one attack");
        }
        this.name = name;
        this.members = List.copyOf(members);
    }

    public List<BudgetedAttack> members() {
        return members;
    }

    /** The same ensemble under another name (the name recorded in settings). */
    public Ensemble named(String value) {
        return new Ensemble(value, members);
    }

    /** This ensemble with one more member, e.g. a black-box {@link SquareAttack} next to SEA's gradient members. */
    public Ensemble plus(BudgetedAttack member) {
        List<BudgetedAttack> all = new java.util.ArrayList<>(members);
        all.add(member);
        return new Ensemble(name, all);
    }

    @Override
    public Ensemble eps(float value) {
        return map(a -> a.eps(value));
    }

    @Override
    public float eps() {
        return members.get(0).eps();
    }

    @Override
    public Norm norm() {
        return members.get(0).norm();
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", name);
        m.put("norm", norm().name().toLowerCase(java.util.Locale.ROOT));
        m.put("eps", eps());
        m.put("members", members.stream().map(BudgetedAttack::settings).collect(Collectors.toList()));
        return m;
    }

    public Ensemble steps(int value) {
        return mapGradient(a -> a.steps(value));
    }

    public Ensemble stepSize(float value) {
        return mapGradient(a -> a.stepSize(value));
    }

    public Ensemble restarts(int value) {
        return mapGradient(a -> a.restarts(value));
    }

    /** Whether the gradient members start from a random point in the ball (seeded apart by {@link #seed}). */
    public Ensemble randomStart(boolean value) {
        return mapGradient(a -> a.randomStart(value));
    }

    /** The gradient members' progressive radius (e.g. {@link Radii#single()} for SEA at eps throughout). */
    public Ensemble radii(Radii value) {
        return mapGradient(a -> a.radii(value));
    }

    /**
     * Seeds member i with {@link #memberSeed memberSeed(value, i)}: one seed for all would start
     * every member from the same random point, and the ensemble would explore less than it claims.
     */
    @Override
    public Ensemble seed(long value) {
        List<BudgetedAttack> seeded = new java.util.ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            seeded.add(members.get(i).seed(memberSeed(value, i)));
        }
        return new Ensemble(name, seeded);
    }

    /** Every member with random streams per image; members keep their own seeds, so their streams differ. */
    @Override
    public Ensemble imageKeys(long[] keys) {
        return map(a -> a.imageKeys(keys));
    }

    /** The seed of member {@code index} of an ensemble seeded with {@code seed}: the (index+1)-th long of SplittableRandom(seed). */
    public static long memberSeed(long seed, int index) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long s = r.nextLong();
        for (int i = 0; i < index; i++) {
            s = r.nextLong();
        }
        return s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AttackResult perturb(SegmentationModel model, NDArray images, NDArray labels) {
        AttackResult worst = null;
        for (BudgetedAttack member : members) {
            AttackResult r = member.perturb(model, images, labels);
            worst = worst == null ? r : worse(worst, r);
        }
        return worst;
    }

    /**
     * The ensemble's rule on figures alone: per image, the index of the member whose result is the
     * worst case (lowest accuracy, then highest loss, then the earliest member). What
     * {@link #perturb} keeps, and what an evaluation that scores every member uses to pick the same
     * images ({@code metric.Robustness.evaluateBatch}).
     */
    public static int[] worstMember(List<float[]> accuracy, List<float[]> loss) {
        int n = accuracy.get(0).length;
        int[] pick = new int[n];
        for (int k = 1; k < accuracy.size(); k++) {
            for (int i = 0; i < n; i++) {
                if (worse(accuracy.get(k)[i], loss.get(k)[i], accuracy.get(pick[i])[i], loss.get(pick[i])[i])) {
                    pick[i] = k;
                }
            }
        }
        return pick;
    }

    /** Whether (accuracy, loss) b is a strictly worse case than a: lower accuracy, or equal accuracy and higher loss. */
    private static boolean worse(float accB, float lossB, float accA, float lossA) {
        return accB < accA || accB == accA && lossB > lossA;
    }

    /** Per image the worse of a and b (a on ties); arrays of the loser are closed. */
    static AttackResult worse(AttackResult a, AttackResult b) {
        int n = a.accuracy().length;
        boolean[] takeB = new boolean[n];
        float[] acc = a.accuracy().clone();
        float[] loss = a.loss().clone();
        for (int i = 0; i < n; i++) {
            takeB[i] = worse(b.accuracy()[i], b.loss()[i], a.accuracy()[i], a.loss()[i]);
            if (takeB[i]) {
                acc[i] = b.accuracy()[i];
                loss[i] = b.loss()[i];
            }
        }
        NDArray x;
        try (NDArray cond = OwnedArrays.of(a.adversarial().getManager(), takeB, new Shape(n, 1, 1, 1));
                NDArray wide = cond.broadcast(a.adversarial().getShape())) {
            x = NDArrays.where(wide, b.adversarial(), a.adversarial());
        }
        a.adversarial().close();
        b.adversarial().close();
        return new AttackResult(x, acc, loss);
    }

    private Ensemble map(UnaryOperator<BudgetedAttack> change) {
        return new Ensemble(name, members.stream().map(change).collect(Collectors.toList()));
    }

    private Ensemble mapGradient(UnaryOperator<GradientAttack> change) {
        return map(a -> a instanceof GradientAttack g ? change.apply(g) : a);
    }

    @Override
    public String toString() {
        return name + members;
    }
}
