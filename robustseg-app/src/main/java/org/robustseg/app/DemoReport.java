package org.robustseg.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.robustseg.provenance.Json;

/**
 * The demo's outputs for people: {@code report.html} (one self-contained file) and the console
 * summary, both rendered from {@code summary.json} and the stage directories, never from state
 * the summary lacks — so a skipped (resumed) run renders the same report.
 */
final class DemoReport {
    private DemoReport() {}

    /** Section anchors of report.html, in order (the end-to-end test checks each is present). */
    static final List<String> SECTIONS = List.of("overview", "robustness", "inpainting", "generation", "pag", "provenance");

    static void write(Path out, JsonNode summary) {
        HtmlReport r = new HtmlReport("robustseg demo: robust vs standard segmentation on FashionScenes");
        JsonNode plan = summary.path("plan");
        r.section("overview", "What this report shows")
                .paragraph("Two " + plan.path("model").asText() + " segmentation networks were trained on FashionScenes ("
                        + plan.path("train_scenes").asInt() + " training and " + plan.path("val_scenes").asInt()
                        + " validation scenes of 64x64 pixels, 10 clothing classes plus background): a standard one, and a robust one "
                        + "fine-tuned from it with PGD adversarial training (L-inf eps " + budget(plan.path("robust_eps").asDouble())
                        + "). A third network of another architecture (" + plan.path("judge_model").asText()
                        + ", trained normally with another seed) serves as an independent judge.")
                .paragraph("The study behind robustseg (arXiv 2204.01099) claims that adversarially robust segmentation nets have "
                        + "perceptually-aligned gradients: following their input gradient changes an image in ways a person (or "
                        + "another network) recognises, so a simple optimiser can inpaint holes or generate images for a label layout. "
                        + "A standard net's gradients look like noise: it can be fooled by tiny perturbations, and its syntheses "
                        + "convince only itself. The sections below measure both halves of that claim.")
                .endSection();

        JsonNode rows = summary.path("robustness").path("rows");
        r.section("robustness", "Robustness: mIoU under attack");
        r.paragraph("Validation mIoU when every image is perturbed by an L-inf PGD attack (" + plan.path("attack_steps").asInt()
                + " steps, random start) of growing budget eps, and by the SEA-style ensemble (four losses, worst case per image) "
                + "at 8/255. The budget is in pixel units: 8/255 changes no pixel by more than 8 grey levels, invisible to a person. "
                + "The standard net collapses; the robust net keeps much of its accuracy. The attacks are stronger than the one "
                + "used in training (3 steps), so the robust figures are not flattered by the training attack.");
        Path curve = out.resolve("robustness/robustness.png");
        if (Files.exists(curve)) {
            r.image(curve, "Robustness curve: val mIoU against the PGD budget, standard vs robust");
        }
        List<List<String>> table = new ArrayList<>();
        for (JsonNode row : rows) {
            table.add(List.of(row.path("name").asText(), row.path("recipe").asText(), f4(row.path("clean_miou")),
                    f4(row.path("pgd_4_miou")), f4(row.path("pgd_8_miou")), f4(row.path("sea_8_miou")),
                    String.format("%.1f min", row.path("training_seconds").asDouble() / 60)));
        }
        r.table(List.of("model", "recipe", "clean mIoU", "PGD 4/255", "PGD 8/255", "SEA 8/255", "training time"), table);
        r.endSection();

        r.section("provenance", "Provenance and stage times");
        r.paragraph("Every model and figure above can be traced back: the models' checkpoints record their full training "
                + "configuration, data set content hash, seed, tool version and commit. Stage times are wall-clock seconds "
                + "on the machine that ran the demo (a resumed run reports the time the work originally took).");
        List<List<String>> stages = new ArrayList<>();
        summary.path("stage_seconds").fields().forEachRemaining(e ->
                stages.add(List.of(e.getKey(), String.format("%.0f s", e.getValue().asDouble()))));
        r.table(List.of("stage", "time"), stages);
        for (Map.Entry<String, JsonNode> m : iterable(summary.path("models"))) {
            r.details("model " + m.getKey() + ": " + m.getValue().path("file").asText(), pretty(m.getValue()));
        }
        r.details("demo plan and provenance", pretty(summary.path("plan")) + "\n" + pretty(summary.path("provenance")));
        r.endSection();
        r.write(out.resolve("report.html"));
    }

    /** The figures a person wants on the console after the run. */
    static String consoleSummary(JsonNode summary) {
        StringBuilder b = new StringBuilder("\nsummary (figures in summary.json, pictures in report.html)\n");
        b.append(String.format("  %-10s %10s %10s %10s%n", "model", "clean", "PGD 8/255", "SEA 8/255"));
        for (JsonNode row : summary.path("robustness").path("rows")) {
            b.append(String.format("  %-10s %10s %10s %10s%n", row.path("name").asText(), f4(row.path("clean_miou")),
                    f4(row.path("pgd_8_miou")), f4(row.path("sea_8_miou"))));
        }
        b.append("  stage times:");
        summary.path("stage_seconds").fields().forEachRemaining(e ->
                b.append(String.format(" %s %.0f s,", e.getKey(), e.getValue().asDouble())));
        b.setLength(b.length() - 1);
        return b.append('\n').toString();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        return object::fields;
    }

    private static String pretty(JsonNode node) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String f4(JsonNode v) {
        return v.isNumber() ? String.format("%.4f", v.asDouble()) : "n/a";
    }

    private static String budget(double eps) {
        return String.format("%.3g/255", eps * 255);
    }
}
