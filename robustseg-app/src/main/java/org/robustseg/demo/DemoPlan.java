package org.robustseg.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The sizes and schedules of a demo run. The full plan is sized to finish in about 40 minutes on
 * a 2-core machine (stage times measured and reported in summary.json); the quick plan runs every
 * stage on tiny data as a smoke test.
 *
 * @param name "full" or "quick"
 * @param trainScenes FashionScenes training scenes
 * @param valScenes FashionScenes validation scenes
 * @param model the architecture of the standard and robust models
 * @param judgeModel the judge's architecture (different from {@code model})
 * @param batch training batch size
 * @param standardEpochs epochs of standard training
 * @param robustEpochs epochs of PGD-AT fine-tuning from the standard model
 * @param robustEps the PGD-AT L∞ budget
 * @param robustLearningRate the fine-tuning learning rate
 * @param judgeEpochs epochs of the judge's standard training
 * @param evalImages validation images for the robustness stage (the PGD curve)
 * @param seaImages of those, the evenly spaced images on which SEA-300 (as published) and the Square attack run
 * @param seaSteps APGD steps of each SEA member (300 as published; the quick plan's smoke run uses fewer)
 * @param squareQueries forward passes per image of the Square attack (1000; fewer in the quick plan)
 * @param attackSteps PGD iterations of the robustness stage
 * @param curveEps budgets of the robustness curve
 * @param synthesisImages validation images for inpainting and generation
 * @param inpaintSteps optimiser iterations of inpainting
 * @param generationSteps optimiser iterations of generation
 */
public record DemoPlan(
        @JsonProperty("name") String name,
        @JsonProperty("train_scenes") int trainScenes,
        @JsonProperty("val_scenes") int valScenes,
        @JsonProperty("model") String model,
        @JsonProperty("judge_model") String judgeModel,
        @JsonProperty("batch") int batch,
        @JsonProperty("standard_epochs") int standardEpochs,
        @JsonProperty("robust_epochs") int robustEpochs,
        @JsonProperty("robust_eps") float robustEps,
        @JsonProperty("robust_lr") float robustLearningRate,
        @JsonProperty("judge_epochs") int judgeEpochs,
        @JsonProperty("eval_images") int evalImages,
        @JsonProperty("sea_images") int seaImages,
        @JsonProperty("sea_steps") int seaSteps,
        @JsonProperty("square_queries") int squareQueries,
        @JsonProperty("attack_steps") int attackSteps,
        @JsonProperty("curve_eps") List<Float> curveEps,
        @JsonProperty("synthesis_images") int synthesisImages,
        @JsonProperty("inpaint_steps") int inpaintSteps,
        @JsonProperty("generation_steps") int generationSteps) {

    /** The number of stages the console counter shows. */
    static final int STAGES = 6;

    private static final List<Float> CURVE = List.of(0f, 2 / 255f, 4 / 255f, 8 / 255f);

    static DemoPlan full() {
        // Measured on a 2-core machine: standard ~15 s/epoch, PGD-AT ~80 s/epoch, judge ~15 s/epoch,
        // the robustness stage ~6 min for 500 images, synthesis ~1.5 min. SEA-300 costs about 120
        // PGD-10 runs per image and Square-1000 about 30 (the README's table of times): on 12 images
        // with both models they cost what sea-pgd on all 500 did, which they replace, so the stage
        // and the demo keep their time.
        return new DemoPlan("full", 4000, 500, "pspnet-lite", "deeplabv3-lite", 16, 30, 8, 8 / 255f, 0.02f, 15,
                500, 12, 300, 1000, 10, CURVE, 64, 60, 100);
    }

    static DemoPlan quick() {
        return new DemoPlan("quick", 256, 64, "pspnet-lite", "deeplabv3-lite", 16, 2, 1, 8 / 255f, 0.02f, 1,
                16, 1, 30, 100, 3, CURVE, 4, 5, 5);
    }
}
