package org.robustseg.examples;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.robustseg.ProgressListener;
import org.robustseg.attack.AttackResult;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.Eps;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.batch.Batch;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.metric.Evaluator;
import org.robustseg.metric.Robustness;
import org.robustseg.metric.SegmentationMetrics;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;

/**
 * Evaluates a checkpoint clean and under attack: a PGD robustness curve over the validation set
 * and the SEA ensemble on four images. Usage: {@code AttackExample [DATA_DIR [CHECKPOINT]]}.
 */
public final class AttackExample {
    private AttackExample() {}

    /**
     * The figures of {@link #attack}.
     *
     * @param clean clean figures on the validation set
     * @param curve mIoU and accuracy under PGD at each budget
     * @param sea the SEA ensemble's adversarial images and per-image accuracy
     */
    public record Figures(SegmentationMetrics clean, List<Robustness.Point> curve, float[] seaAccuracy) {}

    // tag::attack[]
    /** Clean figures, a PGD curve and the SEA ensemble's per-image accuracy, with {@code steps}-step attacks. */
    public static Figures attack(Path data, Path checkpoint, int steps) {
        SegDataset val = DataSets.open(data, Split.VAL);
        try (SegmentationModel model = Checkpoint.load(checkpoint); NDManager manager = model.manager().newSubManager()) {
            SegmentationMetrics clean = Evaluator.evaluate(model, val, 32, ProgressListener.NONE).metrics();
            GradientAttack pgd = Attacks.pgd(Norm.LINF).steps(steps).restarts(2).seed(0);   // shared, never changed
            List<Robustness.Point> curve = Robustness.evaluate(model, val, pgd, Eps.of("0,4/255,8/255"));

            Ensemble sea = Attacks.sea(Norm.LINF).eps(8 / 255f).steps(steps);   // worst case over the four SEA losses
            Batch batch = Batch.of(List.of(val.get(0), val.get(1), val.get(2), val.get(3)));
            AttackResult r = sea.perturb(model, batch.images(manager), batch.labels(manager));
            return new Figures(clean, curve, r.accuracy());               // r.adversarial(): the attacked images
        }
    }
    // end::attack[]

    public static void main(String[] args) {
        Figures f = attack(Path.of(args.length > 0 ? args[0] : "runs/demo/data"),
                Path.of(args.length > 1 ? args[1] : "runs/demo/models/robust"), 10);
        System.out.printf("clean mIoU %.3f%n", f.clean().miou());
        f.curve().forEach(p -> System.out.printf("eps %.4f: mIoU %.3f%n", p.eps(), p.metrics().miou()));
        System.out.println("SEA accuracy per image: " + java.util.Arrays.toString(f.seaAccuracy()));
    }
}
