package org.robustseg.bench;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.attack.Attacks;
import org.robustseg.attack.BudgetedAttack;
import org.robustseg.attack.Ensemble;
import org.robustseg.attack.GradientAttack;
import org.robustseg.attack.Norm;
import org.robustseg.model.FlopCounter;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost model: time of a standard and of a PGD-AT training step over a grid of batch sizes and
 * image sizes, turned into time per epoch, and a projection to Pascal VOC (10,582 training
 * images at 473×473) from a measured pspnet-resnet50 step scaled by its FLOPs; and the cluster
 * case: SEA as published on Cityscapes val (500 images at 1024×2048) with pspnet-resnet50, per
 * worker core and for N worker cores (robustseg-spark), from a measured attack step scaled the same way.
 */
@Command(name = "cost-model", mixinStandardHelpOptions = true,
        description = "Training-step time over batch x image size, epoch times, a Pascal VOC projection, and SEA on "
                + "Cityscapes val per worker core and for N cores (robustseg-spark).")
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

    @Option(names = "--no-cluster", description = "Skip the pspnet-resnet50 attack step behind the Cityscapes SEA cluster projection.")
    boolean noCluster;

    @Option(names = "--workers", split = ",", defaultValue = "1,2,8,32,128,500",
            description = "Worker cores of the cluster projection (default ${DEFAULT-VALUE}).")
    List<Integer> workers;

    @Option(names = "--cluster-measure-size", defaultValue = "256",
            description = "Square size the pspnet-resnet50 attack step is measured at, then scaled to 1024x2048 by FLOPs "
                    + "(1024x2048 itself needs tens of GB and minutes per step on a CPU; default ${DEFAULT-VALUE}).")
    int measureSize;

    @Option(names = "--out", defaultValue = "cost-model.json", description = "Results file (default ${DEFAULT-VALUE}).")
    Path out;

    static final int VOC_TRAIN_IMAGES = 10_582;
    static final int VOC_CROP = 473;
    static final int CITYSCAPES_VAL_IMAGES = 500;
    static final int CITYSCAPES_CLASSES = 19;
    static final int CITYSCAPES_HEIGHT = 1024;
    static final int CITYSCAPES_WIDTH = 2048;

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
        if (!noCluster) {
            result.set("cluster_projection", clusterProjection());
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

    /**
     * SEA (as published: {@link Attacks#sea}, its members' gradient steps per image) on Cityscapes
     * val at 1024×2048 with pspnet-resnet50: one attack step (forward + input gradient) measured
     * at --cluster-measure-size (256×256), batch 1, scaled to 1024×2048 by the step's FLOPs; then per worker core (one image
     * at a time, the Spark job's one-core executors) and for N cores, each processing whole images:
     * makespan = ceil(500 / N) images × time per image. Extrapolated: perfect scaling, no task
     * overhead, as if the node had the memory for 1024×2048 activations.
     */
    private ObjectNode clusterProjection() {
        if (measureSize < 32) {
            throw new IllegalArgumentException("--cluster-measure-size must be at least 32, got " + measureSize);
        }
        Ensemble sea = Attacks.sea(Norm.LINF);
        long gradientSteps = 0;
        for (BudgetedAttack m : sea.members()) {
            gradientSteps += m instanceof GradientAttack g ? (long) g.steps() * g.restarts() : 0;
        }
        double measuredMs;
        try (BenchOperations ops = new BenchOperations("pspnet-resnet50", 1, measureSize)) {
            measuredMs = median(ops.operation(BenchOperations.ATTACK_STEP));
        }
        long measuredFlops = FlopCounter.count("pspnet-resnet50", CITYSCAPES_CLASSES, new Shape(1, 3, measureSize, measureSize)).attackStep();
        long fullFlops = FlopCounter.count("pspnet-resnet50", CITYSCAPES_CLASSES,
                new Shape(1, 3, CITYSCAPES_HEIGHT, CITYSCAPES_WIDTH)).attackStep();
        double stepS = measuredMs / 1000 * fullFlops / measuredFlops;
        double imageS = stepS * gradientSteps;
        ObjectNode p = Json.object();
        p.put("measured_size", measureSize);
        p.put("measured_attack_step_ms", measuredMs);
        p.put("attack_step_flops_1024x2048", fullFlops);
        p.put("attack_step_s_1024x2048_extrapolated", stepS);
        p.put("sea_gradient_steps_per_image", gradientSteps);
        p.put("s_per_image_per_core_extrapolated", imageS);
        System.out.printf("%nCluster projection (EXTRAPOLATED): SEA as published (%d gradient steps per image) on Cityscapes val, "
                + "%d images at %dx%d, pspnet-resnet50;%n  one attack step measured at %dx%d: %.0f ms; scaled by FLOPs (%.0f GFLOP "
                + "per step at full size): %.1f s per step, %.1f h per image per worker core%n%n", gradientSteps, CITYSCAPES_VAL_IMAGES,
                CITYSCAPES_HEIGHT, CITYSCAPES_WIDTH, measureSize, measureSize, measuredMs, fullFlops / 1e9, stepS, imageS / 3600);
        System.out.println("| worker cores | images per core | wall time (extrapolated, perfect scaling) |");
        System.out.println("|---|---|---|");
        ArrayNode rows = p.putArray("workers");
        for (int n : workers) {
            if (n < 1) {
                throw new IllegalArgumentException("--workers must be at least 1, got " + n);
            }
            int perCore = (CITYSCAPES_VAL_IMAGES + n - 1) / n;
            ObjectNode row = rows.addObject();
            row.put("worker_cores", n);
            row.put("images_per_core", perCore);
            row.put("wall_hours_extrapolated", perCore * imageS / 3600);
            System.out.printf("| %d | %d | %s |%n", n, perCore, duration(perCore * imageS));
        }
        return p;
    }

    private double median(Runnable op) {
        BenchOperations.timeMs(op, 1);
        return BenchOperations.summary(BenchOperations.timeMs(op, repeats))[0];
    }

    private static String duration(double seconds) {
        return seconds < 120 ? String.format("%.0f s", seconds) : seconds < 7200 ? String.format("%.1f min", seconds / 60)
                : seconds < 3 * 86400 ? String.format("%.1f h", seconds / 3600) : String.format("%.1f days", seconds / 86400);
    }
}
