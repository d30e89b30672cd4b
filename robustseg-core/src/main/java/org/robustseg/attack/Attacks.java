package org.robustseg.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.robustseg.optim.Apgd;
import org.robustseg.optim.Direction;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;

/**
 * The attack presets, each a configuration of the one loop. Defaults follow the literature:
 * L∞ eps 8/255, L2 eps 0.5, 10 steps, step size 2.5·eps/steps, one restart, seed 0; every
 * value can be changed with the fluent setters of {@link GradientAttack} / {@link Ensemble}.
 *
 * <pre>{@code
 * Attack pgd = Attacks.pgd(Norm.LINF).eps(8 / 255f).steps(10).restarts(2).seed(0);
 * AttackResult r = pgd.perturb(model, images, labels);
 * }</pre>
 */
public final class Attacks {
    private Attacks() {}

    /** Names accepted by {@link #parse}. */
    public static final List<String> NAMES = List.of("fgsm", "bim", "pgd", "apgd", "segpgd", "sea", "sea-pgd", "square", "targeted");

    /**
     * FGSM (Goodfellow et al.): one step of size eps from the clean image, no random start, and
     * the attacked image is returned as it is ({@code keepBest(false)}): keeping the better of
     * clean and attacked would make a weaker attack than the field's FGSM look stronger.
     */
    public static GradientAttack fgsm(Norm norm) {
        float eps = defaultEps(norm);
        return new GradientAttack("fgsm", norm, eps, 1).stepSize(eps).keepBest(false);
    }

    /** BIM (Kurakin et al.), the DDC-AT/SAT protocol: L∞, no random start; e.g. bim(0.03f, 0.01f, 2|4|6). */
    public static GradientAttack bim(float eps, float stepSize, int steps) {
        return new GradientAttack("bim", Norm.LINF, eps, steps).stepSize(stepSize);
    }

    /** PGD (Madry et al.): uniform random start in the ball, then projected steps. */
    public static GradientAttack pgd(Norm norm) {
        return new GradientAttack("pgd", norm, defaultEps(norm), 10).randomStart(true);
    }

    /** SegPGD (Gu et al. 2022): PGD on the balanced cross-entropy. */
    public static GradientAttack segPgd(Norm norm) {
        return pgd(norm).named("segpgd").objective(Objectives.balancedCrossEntropy());
    }

    /**
     * APGD (Croce &amp; Hein 2020) on the pixel CE: 100 steps from the clean image (no random
     * start), initial step 2·eps halved per image at APGD's checkpoints, momentum 0.75, restarts
     * from the best point ({@link Apgd}).
     */
    public static GradientAttack apgd(Norm norm) {
        return new GradientAttack("apgd", norm, defaultEps(norm), 100).schedule(Apgd.create());
    }

    /**
     * SEA as published (Croce, Singh &amp; Hein 2023): APGD with each of masked CE, balanced CE,
     * JS divergence and the masked spherical loss (the four of their code), 300 steps each under
     * the progressive radius 2ε → 1.5ε → ε ({@link Radii#sea()}: 90, 90 and 120 steps), no random
     * start, keeping per image the worst case (lowest accuracy) at ε. Members are named
     * "apgd-LOSS". Add {@link #square} with {@link Ensemble#plus} for a black-box member.
     */
    public static Ensemble sea(Norm norm) {
        List<GradientAttack> members = new ArrayList<>();
        for (Objective loss : Objectives.sea()) {
            members.add(apgd(norm).named("apgd-" + loss.name()).objective(loss).steps(300).radii(Radii.sea()));
        }
        return new Ensemble("sea", members).seed(0);
    }

    /**
     * The PGD ensemble robustseg called SEA before SEA was implemented as published: PGD (random
     * start, fixed step 2.5·eps/steps, 10 steps) on each of SEA's four losses, worst case per
     * image. Member i starts from its own random point ({@link Ensemble#memberSeed}). Members keep
     * their historical names "sea-LOSS", so recorded evaluations stay comparable.
     */
    public static Ensemble seaPgd(Norm norm) {
        List<GradientAttack> members = new ArrayList<>();
        for (Objective loss : Objectives.sea()) {
            members.add(pgd(norm).named("sea-" + loss.name()).objective(loss));
        }
        return new Ensemble("sea-pgd", members).seed(0);
    }

    /** The Square attack (Andriushchenko et al. 2020), L∞ or L2: 1000 queries, forward passes only. */
    public static SquareAttack square(Norm norm) {
        return SquareAttack.of(norm);
    }

    /** Any set of attacks as an ensemble keeping the per-image worst case. */
    public static Ensemble ensemble(String name, List<GradientAttack> members) {
        return new Ensemble(name, members);
    }

    /**
     * A targeted attack: PGD minimising the pixel CE to the target map given to
     * {@link Attack#perturb} as labels (build one with {@link Targets}); keeps per image the
     * iterate that agrees most with the target.
     */
    public static GradientAttack targeted(Norm norm) {
        return pgd(norm).named("targeted").direction(Direction.MINIMISE);
    }

    /**
     * The preset named {@code name} (one of {@link #NAMES}) with its defaults for {@code norm}; also
     * "apgd-LOSS", APGD-100 on one objective of {@link Objectives#NAMES} (e.g. "apgd-masked-ce", one
     * member of SEA at the plain APGD's 100 steps and single radius).
     */
    public static Attack parse(String name, Norm norm) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (key.startsWith("apgd-")) {
            String loss = key.substring("apgd-".length());
            if (!Objectives.NAMES.contains(loss)) {
                throw new IllegalArgumentException("unknown attack '" + name + "': apgd-LOSS needs a loss of " + String.join(", ", Objectives.NAMES));
            }
            return apgd(norm).named(key).objective(loss);
        }
        switch (key) {
            case "fgsm": return fgsm(norm);
            case "bim": return norm == Norm.LINF ? bim(0.03f, 0.01f, 4) : new GradientAttack("bim", norm, defaultEps(norm), 4);
            case "pgd": return pgd(norm);
            case "segpgd": return segPgd(norm);
            case "apgd": return apgd(norm);
            case "sea": return sea(norm);
            case "sea-pgd": return seaPgd(norm);
            case "square": return square(norm);
            case "targeted": return targeted(norm);
            default:
                throw new IllegalArgumentException("unknown attack '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
    }

    static float defaultEps(Norm norm) {
        return norm == Norm.LINF ? 8 / 255f : 0.5f;
    }
}
