package org.robustseg.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.GradientAttack;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.ForwardMode;
import org.robustseg.optim.InputOptimizer;
import org.robustseg.optim.Objective;
import org.robustseg.optim.Objectives;
import org.robustseg.optim.Selection;

/**
 * What every adversarial recipe shares: its options and the inner maximisation, which is an
 * {@link Attacks} preset run by the optim package's {@link InputOptimizer} — no loop of its own.
 * Subclasses say which images to craft and which loss to train on.
 *
 * <p>The inner maximisation raises pixel CE of the <em>main</em> head only, while the outer loss
 * adds aux weight × CE of the auxiliary head (when the architecture has one). Deliberately: the
 * auxiliary head is a training-time regulariser (deep supervision) that the deployed model
 * drops, so the threat the inner max approximates — an attacker of the model as evaluated — sees
 * the main head alone, and evaluation attacks do the same; the outer loss then trains the
 * auxiliary head on those worst cases of the deployed model. (Attacking main + aux would also
 * need the auxiliary logits in the optim package's objective context, which carries the main
 * logits only.) RecipesTest pins this down: the crafted examples do not depend on the aux weight
 * or the auxiliary head.
 */
abstract class AdversarialRecipe implements TrainingRecipe {
    /**
     * BatchNorm statistics while crafting training examples: batch statistics (TRAINING), with
     * the running statistics restored by the loop afterwards. The inner maximisation should raise
     * the very loss the outer step then lowers, and that loss is computed in training mode; Madry
     * et al.'s PGD-AT and Wong et al.'s fast AT craft in train mode too. Eval statistics of a net
     * trained from scratch lag behind its weights (early on they are nearly those of the
     * initialisation), so eval-mode examples would attack a different function. Evaluation
     * attacks, including the per-epoch {@link RobustnessProbe}, use eval statistics as DESIGN says.
     */
    static final ForwardMode ATTACK_BN = ForwardMode.TRAINING;

    private final RecipeConfig options;
    private UnaryOperator<Objective> innerObjectiveHook = UnaryOperator.identity();

    AdversarialRecipe(RecipeConfig options, Recipe expected) {
        this.options = Objects.requireNonNull(options, "options");
        if (options.recipe() != expected) {
            throw new IllegalArgumentException("options of --recipe " + options.recipe() + " given to recipe " + expected);
        }
    }

    @Override
    public String name() {
        return options.recipe().id();
    }

    public RecipeConfig options() {
        return options;
    }

    /** The attack preset the inner maximisation runs: L∞/L2 PGD (BIM without random start), or APGD under {@code --step-rule apgd}. */
    GradientAttack attack() {
        return Attacks.pgd(options.norm())
                .eps(options.eps())
                .steps(options.steps())
                .stepSize(options.stepSize())
                .randomStart(options.randomStart())
                .schedule(options.rule().schedule());
    }

    /** Adversarial versions of {@code images} under pixel CE (the common inner objective). */
    NDArray craft(SegmentationModel model, NDArray images, NDArray labels, NDManager manager, long seed) {
        return craft(model, images, labels, Objectives.crossEntropy(), manager, seed);
    }

    /**
     * Runs the inner maximisation of {@code objective} and returns its last iterate (as Madry et
     * al. and Wong et al. train on; per-image "best" iterates mean little when batch statistics
     * couple the images). Under APGD the iterate of highest loss per image instead: APGD's output
     * is its best point (Algorithm 1's x_max; Croce et al. train on it), and its restarts from the
     * best point make the last iterate a point the run had already abandoned; the extra forward
     * pass that scores the last iterate is the price. The random start comes from {@code seed},
     * which the {@link Trainer} derives from (run seed, step), so runs are deterministic and resume
     * exactly without the engine's global generator.
     */
    NDArray craft(SegmentationModel model, NDArray images, NDArray labels, Objective objective, NDManager manager,
                  long seed) {
        InputOptimizer inner = attack().objective(innerObjectiveHook.apply(objective)).optimizer()
                .forwardMode(ATTACK_BN)
                .seed(seed);
        inner = configure(options.rule() == StepRule.APGD ? inner.keepBest(true).selection(Selection.LOSS)
                : inner.keepBest(false).evaluateLast(false));
        return inner.run(model, images, labels).xBest();
    }

    /** Adjusts the inner loop before it runs (TRADES: BatchNorm mode and start); by default unchanged. */
    InputOptimizer configure(InputOptimizer inner) {
        return inner;
    }

    /** Tests: wraps the inner objective (e.g. to count input-gradient computations). */
    void innerObjectiveHook(UnaryOperator<Objective> hook) {
        this.innerObjectiveHook = Objects.requireNonNull(hook, "hook");
    }
}
