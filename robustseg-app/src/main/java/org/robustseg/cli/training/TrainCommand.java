package org.robustseg.cli.training;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.report.Tables;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.attack.Eps;
import org.robustseg.attack.Norm;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.train.Augmentation;
import org.robustseg.train.RunMode;
import org.robustseg.train.StepRule;
import org.robustseg.train.OptimizerKind;
import org.robustseg.train.Recipe;
import org.robustseg.train.RecipeConfig;
import org.robustseg.train.TrainConfig;
import org.robustseg.train.Trainer;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.Seed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run train ...}: trains a segmentation model into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a segmentation model.")
public final class TrainCommand implements Callable<Integer> {
    /** The architecture when neither --model nor an imported --init names one. */
    static final String DEFAULT_MODEL = "pspnet-lite";

    @Option(names = "--model", description = "Architecture (default " + DEFAULT_MODEL + "; with an imported network as --init: "
            + "that network); see 'info'.")
    String model;

    /** Not {@link org.robustseg.cli.options.DataSet}: training reads both the train and the val split. */
    @Option(names = "--data", required = true, description = "Data directory (VOC or Cityscapes layout).")
    Path data;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Mixin
    BatchSize batch;

    @Mixin
    Seed seed;

    /** Not {@link org.robustseg.cli.options.OutputDirectory}: a run directory, which --resume continues. */
    @Option(names = "--out", required = true, description = "Run directory for checkpoints and records.")
    Path out;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (momentum, PSPNet recipe) or adam (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Base learning rate (default: the architecture's SGD rate, e.g. 0.1 for the lite nets and 0.01 for ResNet-50 ones; 0.001 for adam).")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "Weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--poly-power", defaultValue = "0.9", description = "Poly learning-rate power (default ${DEFAULT-VALUE}).")
    float polyPower;

    @Option(names = "--aux-weight", defaultValue = "0.4", description = "Auxiliary-head loss weight (default ${DEFAULT-VALUE}).")
    float auxWeight;

    @Option(names = "--scale", defaultValue = "0.75,1.25", split = ",", description = "Random scale range min,max (default ${DEFAULT-VALUE}).")
    float[] scale;

    @Option(names = "--flip", defaultValue = "true", negatable = true, description = "Random horizontal flip (default ${DEFAULT-VALUE}).")
    boolean flip;

    @Option(names = "--crop", defaultValue = "0", description = "Random square crop size after scaling; 0 = keep the image size (default ${DEFAULT-VALUE}). Use e.g. 473 for Pascal VOC.")
    int crop;

    @Option(names = "--init", description = "Start from this checkpoint's weights (same model), e.g. adversarial fine-tuning of a "
            + "standard run; or from an imported network (model card, folder holding card.json, or .pt beside its card), "
            + "which is then the model trained.")
    Path init;

    @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace an existing run in --out.")
    boolean overwrite;

    @Option(names = "--no-val", description = "Skip the per-epoch validation mIoU.")
    boolean noVal;

    @Option(names = "--recipe", defaultValue = "standard",
            description = "standard, pgd-at, sat, advprop, trades or fast-at (default ${DEFAULT-VALUE}).")
    String recipe;

    @Option(names = "--norm", description = "Attack norm of an adversarial recipe: linf or l2 (default linf).")
    String norm;

    @Option(names = "--eps", description = "Attack budget, a number or fraction such as 8/255 (default per recipe: "
            + "pgd-at, trades, fast-at 8/255; sat 0.03; advprop 4/255; 0.5 for --norm l2, advprop 0.25).")
    String eps;

    @Option(names = "--attack-steps", description = "Inner-maximisation steps (default 3; fast-at exactly 1).")
    Integer attackSteps;

    @Option(names = "--step-size", description = "Attack step size, number or fraction (default 2.5*eps/steps; sat eps/steps; "
            + "fast-at 1.25*eps; under --step-rule apgd 2*eps, the initial step).")
    String stepSize;

    @Option(names = "--step-rule", description = "Inner-maximisation step rule: fixed (PGD) or apgd (adaptive per-image step sizes, "
            + "momentum 0.75, restarts from the best point; trains on the iterate of highest loss) (default fixed).")
    String stepRule;

    @Option(names = "--beta", description = "TRADES weight of the KL term (default 6).")
    Float beta;

    @Option(names = "--adv-share", description = "SAT: fraction of each batch trained adversarially, in [0,1] (default 0.5).")
    Float advShare;

    @Override
    public Integer call() {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume and --overwrite exclude each other");
        }
        if (scale.length != 2) {
            throw new IllegalArgumentException("--scale must be two numbers min,max");
        }
        String model = model();
        float baseLr = lr != null ? lr : OptimizerKind.parse(optimizer).defaultLearningRate(model);
        RecipeConfig recipeConfig = recipeConfig();
        TrainConfig config = TrainConfig.builder(model).recipe(recipeConfig).epochs(epochs).batchSize(batch.get()).seed(seed.get())
                .optimizer(OptimizerKind.parse(optimizer)).learningRate(baseLr).momentum(momentum).weightDecay(weightDecay)
                .polyPower(polyPower).auxWeight(auxWeight).augmentation(new Augmentation(scale[0], scale[1], flip, crop)).build();
        SegDataset train = DataSets.inMemory(DataSets.open(data, Split.TRAIN));
        SegDataset val = noVal ? null : DataSets.inMemory(DataSets.open(data, Split.VAL));
        RunMode mode = resume ? RunMode.RESUME : overwrite ? RunMode.OVERWRITE : RunMode.FRESH;
        System.out.printf("training %s on %s (%d samples), %d epochs, batch %d, %s lr %.4g, seed %d, recipe %s -> %s%n",
                model, train.name(), train.size(), epochs, batch.get(), optimizer, baseLr, seed.get(), describe(recipeConfig), out);
        long t0 = System.nanoTime();
        Path last = new Trainer(config, train, val).initFrom(init)
                .progress(ConsoleProgress.stderr())
                .onEpoch(e -> System.out.println(Tables.epoch(e)))
                .run(out, mode);
        System.out.printf("done in %.1f s; final checkpoint %s%n", (System.nanoTime() - t0) / 1e9, last);
        return 0;
    }

    /**
     * The architecture trained: --model, or the imported network --init names (a TorchScript
     * network is fine-tuned as it is; an ONNX one cannot be trained), the model of the run
     * --resume continues, else the default.
     */
    private String model() {
        Checkpoint start = init != null ? Checkpoint.open(init) : null;
        if (start != null && start.isImported()) {
            start.requireGradients("train");
            if (model != null && !model.equals(start.spec().name())) {
                throw new IllegalArgumentException("--model " + model + " does not fit --init " + init + ", an imported "
                        + start.spec().name() + " network (which is the model trained): leave --model out");
            }
            return start.spec().name();
        }
        if (model == null && resume) { // the run's own model, e.g. an imported network being fine-tuned
            var latest = Checkpoint.latestIn(out);
            if (latest.isPresent()) {
                return Checkpoint.open(latest.get()).spec().name();
            }
        }
        return model != null ? model : DEFAULT_MODEL;
    }

    /** The recipe with the options given on the command line; each one left out takes the recipe's default. */
    private RecipeConfig recipeConfig() {
        RecipeConfig.Builder b = RecipeConfig.builder(Recipe.parse(recipe));
        if (norm != null) {
            b = b.norm(Norm.parse(norm, "--norm"));
        }
        if (eps != null) {
            b = b.eps(Eps.parseOne(eps, "--eps"));
        }
        if (attackSteps != null) {
            b = b.steps(attackSteps);
        }
        if (stepSize != null) {
            b = b.stepSize(Eps.parseOne(stepSize, "--step-size"));
        }
        if (stepRule != null) {
            b = b.stepRule(StepRule.parse(stepRule));
        }
        if (beta != null) {
            b = b.beta(beta);
        }
        if (advShare != null) {
            b = b.advShare(advShare);
        }
        return b.build();
    }

    /** The recipe and the options it uses, for the first line of output. */
    private static String describe(RecipeConfig r) {
        if (!r.adversarial()) {
            return r.recipe().id();
        }
        return String.format("%s (%s eps %.4g, %d %s steps of %.4g%s%s%s)", r.recipe(), r.norm(), r.eps(), r.steps(),
                r.rule() == StepRule.APGD ? "APGD" : "PGD", r.stepSize(), r.randomStart() ? ", random start" : "", r.beta() == null ? "" : ", beta " + r.beta(),
                r.advShare() == null ? "" : ", adv share " + r.advShare());
    }
}
