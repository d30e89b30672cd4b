package org.robustseg.cli.robustness;

import java.util.concurrent.Callable;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.Checkpoints;
import org.robustseg.cli.options.DataSet;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run attack ...}: robustness curves of one or more checkpoints under an attack at a
 * series of budgets, with robustness.json, a curve PNG and an example grid ({@link AttackJob}).
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack checkpoints at several budgets: robustness.json, robustness.png, examples.png.")
public final class AttackCommand implements Callable<Integer> {
    @Mixin
    Checkpoints checkpoints;

    @Mixin
    DataSet data;

    @Option(names = "--attack", defaultValue = AttackJob.DEFAULT_ATTACK,
            description = "fgsm, bim, pgd, segpgd, apgd, sea (APGD-300, as published), sea-pgd (the PGD-10 ensemble), square (black box) or targeted (default ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--norm", defaultValue = AttackJob.DEFAULT_NORM, description = "linf or l2 (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = AttackJob.DEFAULT_EPS,
            description = "Budgets, comma-separated; fractions allowed (default ${DEFAULT-VALUE}).")
    String eps;

    @Option(names = "--steps", description = "Attack steps (default: the preset's, e.g. 10 for pgd, 100 for apgd, 300 for sea, 4 for bim, 1 for fgsm).")
    Integer steps;

    @Option(names = "--step-size", description = "Step size (default: the preset's, e.g. 2.5*eps/steps for pgd, 0.01 for bim).")
    Float stepSize;

    @Option(names = "--restarts", description = "Random restarts; the worst case per image is kept (default 1).")
    Integer restarts;

    @Option(names = "--random-start", negatable = true,
            description = "Start gradient attacks from a random point in the ball, or (--no-random-start) from the clean image "
                    + "(default: the preset's: pgd, segpgd, sea-pgd and targeted start at random; fgsm, bim, apgd and sea do not).")
    Boolean randomStart;

    @Option(names = "--loss", description = "Objective for pgd-type attacks: ce, masked-ce, balanced-ce, js, masked-spherical, masked-margin.")
    String loss;

    @Mixin
    Seed seed;

    @Option(names = "--target-class", description = "Targeted attack: push every pixel to this class.")
    Integer targetClass;

    @Option(names = "--target-map", description = "Targeted attack: relabel class a as class b, written a:b.")
    String targetMap;

    @Option(names = "--limit", description = "Use only the first N images of the split.")
    Integer limit;

    @Mixin
    BatchSize batch;

    @Option(names = "--examples", defaultValue = "" + AttackJob.DEFAULT_EXAMPLES,
            description = "Example rows per checkpoint in examples.png (default ${DEFAULT-VALUE}).")
    int examples;

    @Mixin
    OutputDirectory out;

    @Option(names = "--queries", description = "Forward passes of the square attack, also of the one --masking-check runs (default 1000).")
    Integer queries;

    @Option(names = "--masking-check", description = "Also run the gradient-masking checks (black-box Square vs the attack, "
            + "accuracy vs eps, unbounded PGD, PGD 10 vs 40 steps) on the first --batch images at the largest eps; "
            + "flags in robustness.json (gradient_masking) and on the console; the Square attack in the attack's norm.")
    boolean maskingCheck;

    /** The job these options describe (not run). */
    public AttackJob job() {
        return new AttackJob(checkpoints.paths(), data.data(), data.splitName(), attack, norm, eps, steps, stepSize,
                restarts, randomStart, loss, seed.get(), targetClass, targetMap, limit, batch.get(), examples, out.dir(), queries,
                maskingCheck);
    }

    /**
     * The job of {@code ./run attack ARGS} without running it: how a process that runs part of it
     * elsewhere (a cluster node) rebuilds exactly the job its driver planned. Bad options throw
     * picocli's ParameterException.
     */
    public static AttackJob parse(String... args) {
        AttackCommand command = new AttackCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command.job();
    }

    @Override
    public Integer call() {
        AttackJob job = job();
        AttackJob.Result result = job.run();
        System.out.print(result.table());
        System.out.println("wrote " + out.resolve("robustness.json") + ", robustness.png" + (result.maxEps() > 0 && examples > 0 ? ", examples.png" : ""));
        return 0;
    }
}
