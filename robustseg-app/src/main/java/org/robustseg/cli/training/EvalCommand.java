package org.robustseg.cli.training;

import org.robustseg.cli.ConsoleProgress;
import org.robustseg.report.Tables;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.data.SegDataset;
import org.robustseg.metric.Evaluator;
import org.robustseg.metric.SegmentationMetrics;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.cli.options.BatchSize;
import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run eval ...}: clean mIoU of a checkpoint on a split. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a checkpoint (mIoU, pixel accuracy, per-class IoU).")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CheckpointFile checkpoint;

    @Mixin
    DataSet data;

    /** Evaluation keeps no gradients: twice the training batch fits. */
    @Mixin
    BatchSize batch = new BatchSize(32);

    /** Not {@link org.robustseg.cli.options.OutputDirectory}: optional, the run directory by default. */
    @Option(names = "--out", description = "Directory for metrics.json (default: the checkpoint's run directory).")
    Path out;

    @Override
    public Integer call() {
        SegDataset ds = data.open();
        Checkpoint ckpt = checkpoint.open();
        SegmentationMetrics metrics;
        try (SegmentationModel model = ckpt.loadModel()) {
            metrics = Evaluator.evaluate(model, ds, batch.get(), ConsoleProgress.stderr()).metrics();
        }
        Path dir = out != null ? out : ckpt.runDir();
        ObjectNode json = (ObjectNode) Json.toTree(metrics);
        json.set("provenance", Provenance.of("eval")
                .dataset("eval", ds.name(), ds.size(), ds.contentHash())
                .put("checkpoint", ckpt.identity()).toJson());
        Path file = dir.resolve("metrics.json");
        Json.write(file, json);
        System.out.printf("%s on %s (%d images)%n", ckpt.file(), ds.name(), ds.size());
        System.out.print(Tables.metrics(metrics, ds.classes().names()));
        System.out.println("wrote " + file);
        return 0;
    }
}
