package org.robustseg.bench;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.model.FlopCounter;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost model: time of a standard and of a PGD-AT training step over a grid of batch sizes and
 * image sizes, turned into time per epoch, and a projection to Pascal VOC (10,582 training
 * images at 473×473) from a measured pspnet-resnet50 step scaled by its FLOPs.
 */
@Command(name = "cost-model", mixinStandardHelpOptions = true,
        description = "Training-step time over batch x image size, epoch times, and a Pascal VOC projection.")
public final class CostModelBench implements Callable<Integer> {
    @Option(names = "--batches", split = ",", defaultValue = "4,8,16,32", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--sizes", split = ",", defaultValue = "64,128,256", description = "Image sizes (default ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--model", defaultValue = "pspnet-lite", description = "Architecture of the grid (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed steps per cell after one warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--epoch-images", defaultValue = "4000", description = "Images per epoch for the epoch column (default ${DEFAULT-VALUE}, FashionScenes).")
    int epochImages;

    @Option(names = "--no-voc", description = "Skip the pspnet-resnet50 measurement behind the Pascal VOC projection.")
    boolean noVoc;

    @Option(names = "--out", defaultValue = "cost-model.json", description = "Results file (default ${DEFAULT-VALUE}).")
    Path out;

    static final int VOC_TRAIN_IMAGES = 10_582;
    static final int VOC_CROP = 473;

    @Override
    public Integer call() {
        if (repeats < 1 || epochImages < 1) {
            throw new IllegalArgumentException("--repeats and --epoch-images must be at least 1");
        }
        ArrayNode rows = Json.MAPPER.createArrayNode();
        System.out.printf("%s, standard and pgd-at (L-inf 8/255, 3 steps) training steps, median of %d after 1 warm-up%n%n",
                model, repeats);
        System.out.println("| batch | image | standard ms/step | pgd-at ms/step | pgd-at / standard | standard img/s | "
                + "epoch of " + epochImages + " (standard) | epoch (pgd-at) | GFLOP/s (standard) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int size : sizes) {
            for (int batch : batches) {
                rows.add(cell(model, batch, size, true));
            }
        }
        ObjectNode result = Json.object();
        result.set("grid", rows);
        if (!noVoc) {
            ObjectNode r50 = cell("pspnet-resnet50", 2, 256, false);
            result.set("pspnet_resnet50_cell", r50);
            result.set("voc_projection", vocProjection(r50));
        }
        result.set("provenance", Provenance.of("bench cost-model").toJson());
        Json.write(out, result);
        System.out.println("\nresults: " + out);
        return 0;
    }

    private ObjectNode cell(String arch, int batch, int size, boolean print) {
        double std;
        double adv;
        try (BenchOperations ops = new BenchOperations(arch, batch, size)) {
            std = median(ops.operation(BenchOperations.TRAIN_STEP));
            adv = median(ops.operation(BenchOperations.PGD_AT_STEP));
        }
        long flops = FlopCounter.count(arch, 11, new Shape(batch, 3, size, size)).trainingStep();
        double stepsPerEpoch = Math.ceil((double) epochImages / batch);
        ObjectNode row = Json.object();
        row.put("model", arch);
        row.put("batch", batch);
        row.put("image_size", size);
        row.put("standard_ms", std);
        row.put("pgd_at_ms", adv);
        row.put("pgd_at_over_standard", adv / std);
        row.put("standard_images_per_s", batch * 1000 / std);
        row.put("standard_epoch_s", stepsPerEpoch * std / 1000);
        row.put("pgd_at_epoch_s", stepsPerEpoch * adv / 1000);
        row.put("standard_flops", flops);
        row.put("standard_gflops", flops / std / 1e6);
        if (print) {
            System.out.printf("| %d | %d | %.0f | %.0f | %.2f | %.0f | %s | %s | %.1f |%n", batch, size, std, adv, adv / std,
                    batch * 1000 / std, duration(stepsPerEpoch * std / 1000), duration(stepsPerEpoch * adv / 1000), flops / std / 1e6);
        }
        return row;
    }

    /**
     * VOC at 473×473 from the measured 256×256 pspnet-resnet50 steps: convolution FLOPs grow with
     * the pixel count, and so (at the same achieved GFLOP/s) does time.
     */
    private static ObjectNode vocProjection(ObjectNode r50) {
        long at256 = FlopCounter.count("pspnet-resnet50", 11, new Shape(1, 3, 256, 256)).trainingStep();
        long at473 = FlopCounter.count("pspnet-resnet50", 11, new Shape(1, 3, VOC_CROP, VOC_CROP)).trainingStep();
        double scale = (double) at473 / at256;
        double stdPerImage = r50.path("standard_ms").asDouble() / r50.path("batch").asInt() * scale / 1000;
        double advPerImage = r50.path("pgd_at_ms").asDouble() / r50.path("batch").asInt() * scale / 1000;
        ObjectNode p = Json.object();
        p.put("training_flops_per_image_473", at473);
        p.put("standard_s_per_image", stdPerImage);
        p.put("pgd_at_s_per_image", advPerImage);
        p.put("standard_epoch_hours", stdPerImage * VOC_TRAIN_IMAGES / 3600);
        p.put("pgd_at_epoch_hours", advPerImage * VOC_TRAIN_IMAGES / 3600);
        System.out.printf("%npspnet-resnet50, batch 2, 256x256: standard %.0f ms/step, pgd-at %.0f ms/step (%.1f GFLOP/s)%n",
                r50.path("standard_ms").asDouble(), r50.path("pgd_at_ms").asDouble(), r50.path("standard_gflops").asDouble());
        System.out.printf("Pascal VOC projection (%d images at %dx%d, %.0f GFLOP per image per standard step): "
                + "standard %.1f h/epoch, pgd-at %.1f h/epoch on this CPU%n", VOC_TRAIN_IMAGES, VOC_CROP, VOC_CROP, at473 / 1e9,
                stdPerImage * VOC_TRAIN_IMAGES / 3600, advPerImage * VOC_TRAIN_IMAGES / 3600);
        return p;
    }

    private double median(Runnable op) {
        BenchOperations.timeMs(op, 1);
        return BenchOperations.summary(BenchOperations.timeMs(op, repeats))[0];
    }

    private static String duration(double seconds) {
        return seconds < 120 ? String.format("%.0f s", seconds) : seconds < 7200 ? String.format("%.1f min", seconds / 60)
                : String.format("%.1f h", seconds / 3600);
    }
}
