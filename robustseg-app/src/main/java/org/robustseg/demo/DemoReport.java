package org.robustseg.demo;

import org.robustseg.report.Format;
import org.robustseg.report.HtmlReport;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.robustseg.metric.RobustnessComparison;
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
        JsonNode pag = summary.path("pag");
        overview(r, plan);
        robustness(r, out, plan, summary.path("robustness").path("rows"));
        inpainting(r, out, pag);
        generation(r, out);
        pagFigures(r, out, pag);
        provenance(r, summary);
        r.write(out.resolve("report.html"));
    }

    /** What the study claims and what was trained to test it. */
    private static void overview(HtmlReport r, JsonNode plan) {
        r.section("overview", "What this report shows")
                .paragraph("Two " + plan.path("model").asText() + " segmentation networks were trained on FashionScenes ("
                        + plan.path("train_scenes").asInt() + " training and " + plan.path("val_scenes").asInt()
                        + " validation scenes of 64x64 pixels, 10 clothing classes plus background): a standard one, and a robust one "
                        + "fine-tuned from it with PGD adversarial training (L-inf eps " + Format.budget255(plan.path("robust_eps").asDouble())
                        + "). A third network of another architecture (" + plan.path("judge_model").asText()
                        + ", trained normally with another seed) serves as an independent judge.")
                .paragraph("The study behind robustseg (arXiv 2204.01099) claims that adversarially robust segmentation nets have "
                        + "perceptually-aligned gradients: following their input gradient changes an image in ways a person (or "
                        + "another network) recognises, so a simple optimiser can inpaint holes or generate images for a label layout. "
                        + "A standard net's gradients look like noise: it can be fooled by tiny perturbations, and its syntheses "
                        + "convince only itself. The sections below measure both halves of that claim.")
                .endSection();

    }

    /**
     * mIoU under attack: the curve, example pictures, the table with its times, every column on the
     * subset SEA ran on, per-image and per-object figures, per-class IoU, the worst images, and the
     * gradient-masking flags when one is raised.
     */
    private static void robustness(HtmlReport r, Path out, JsonNode plan, JsonNode rows) {
        r.section("robustness", "Robustness: mIoU under attack");
        int seaImages = rows.path(0).path("subset").path("images").asInt(plan.path("sea_images").asInt());
        int evalImages = plan.path("eval_images").asInt();
        r.paragraph("Validation mIoU when every image is perturbed by an L-inf PGD attack (" + plan.path("attack_steps").asInt()
                + " steps, random start) of growing budget eps, and by the two stronger attacks the field trusts: SEA "
                + (plan.path("sea_steps").asInt(300) == 300 ? "as published " : "(here with fewer steps than published: a smoke run) ")
                + "(Croce, Singh & Hein 2023: APGD with " + plan.path("sea_steps").asInt(300) + " iterations on each of four losses, "
                + "the radius shrinking from 2 eps to eps; per image the worst case, by pixel accuracy for its aACC and chosen to "
                + "minimise the data-set mIoU for its mIoU, as the paper reports them) and the black-box Square attack ("
                + plan.path("square_queries").asInt(1000) + " forward passes per image, no gradient), at 8/255. "
                + "PGD ran on " + evalImages + " validation images; SEA and Square, which cost about 120 and 30 PGD-10 runs per "
                + "image, on " + seaImages + " of them, evenly spaced (marked †): what the demo's time budget buys. The second "
                + "table compares every attack on exactly those images. The budget is in pixel units: 8/255 changes no pixel by "
                + "more than 8 grey levels, invisible to a person. The attacks are stronger than the one used in training (3 "
                + "steps), so the robust figures are not flattered by the training attack; SEA should be the strongest column on "
                + "its images, and Square, which cannot follow a misleading gradient, should not beat it.");
        r.paragraph(robustnessConclusion(rows));
        Path curve = out.resolve("robustness/robustness.png");
        if (Files.exists(curve)) {
            r.image(curve, "Robustness curve: val mIoU against the PGD budget, standard vs robust");
        }
        image(r, out.resolve("robustness/examples/examples.png"), "PGD at 8/255 on validation images, standard model (top rows) "
                + "and robust model (bottom rows): clean image | its prediction | adversarial image | perturbation, amplified | "
                + "prediction on the adversarial image");
        List<JsonNode> columns = new ArrayList<>();
        rows.path(0).path("columns").forEach(columns::add);
        List<String> header = new ArrayList<>(List.of("model", "recipe", "clean mIoU", "PGD-" + plan.path("attack_steps").asInt() + " 4/255"));
        columns.forEach(c -> header.add(heading(c)));
        header.add("training time");
        List<List<String>> table = new ArrayList<>();
        for (JsonNode row : rows) {
            List<String> cells = new ArrayList<>(List.of(row.path("name").asText(), row.path("recipe").asText(),
                    Format.fixed(row.path("clean_miou"), 4), Format.fixed(row.path("pgd_4_miou"), 4)));
            row.path("columns").forEach(c -> cells.add(Format.fixed(c.path("miou"), 4)));
            cells.add(Format.fixed(row.path("training_seconds").asDouble() / 60, 1) + " min");
            table.add(cells);
        }
        r.table(header, table);

        List<String> subHeader = new ArrayList<>(List.of("model (" + seaImages + " images)", "clean"));
        columns.forEach(c -> subHeader.add(heading(c).replace(" †", "")));
        List<List<String>> sub = new ArrayList<>();
        List<List<String>> times = new ArrayList<>();
        for (JsonNode row : rows) {
            JsonNode f = row.path("subset").path("figures");
            List<String> cells = new ArrayList<>(List.of(row.path("name").asText(), pair(f.path("clean"))));
            List<String> t = new ArrayList<>(List.of(row.path("name").asText(), Format.seconds(row.path("pgd_curve").path(0).path("seconds").asDouble())));
            for (JsonNode c : row.path("columns")) {
                cells.add(pair(f.path(key(c))));
                t.add(Format.seconds(c.path("seconds").asDouble()));
            }
            sub.add(cells);
            times.add(t);
        }
        r.paragraph("Every attack on the " + seaImages + " images SEA ran on (mIoU / pixel accuracy, the paper's aACC); the "
                + "columns that ran on all " + evalImages + " images are counted here on the same images, from their per-image results.");
        r.table(subHeader, sub);
        List<String> timeHeader = new ArrayList<>(List.of("seconds", "clean"));
        columns.forEach(c -> timeHeader.add(heading(c)));
        r.paragraph("What each column cost on the machine that ran the demo (wall time of the attack and the scoring):");
        r.table(timeHeader, times);

        r.paragraph("Per image and per object. A data-set mIoU can hide that an attack destroys a few images completely, or "
                + "that small garments vanish while large ones survive. Per-image mIoU: each image's own mIoU, averaged over images. "
                + "Objects: every connected region of one garment class; small below 1% of the image, large from 10%; IoU pooled "
                + "over the objects of a size (counts in brackets).");
        List<List<String>> objects = new ArrayList<>();
        for (JsonNode row : rows) {
            objects.add(objectCells(row.path("name").asText(), "clean", row.path("clean"), row.path("clean").path("image_figures")));
            for (JsonNode c : row.path("columns")) {
                objects.add(objectCells(row.path("name").asText(), heading(c), c, c.path("image_figures")));
            }
        }
        r.table(List.of("model", "attack", "mIoU", "per-image mIoU", "small objects", "medium objects", "large objects"), objects);
        perClass(r, rows);
        image(r, out.resolve("robustness/worst.png"), "The worst images under SEA at 8/255 (lowest per-image mIoU, at the left with "
                + "the model and the image id), standard model first: image | labels | the prediction SEA left");
        maskingFlags(r, rows);
        r.endSection();

    }

    /** Per-class IoU of both models, clean and under the strongest attack that ran on all images at 8/255, and under SEA. */
    private static void perClass(HtmlReport r, JsonNode rows) {
        List<String> names = org.robustseg.data.FashionScenes.classes().names();
        List<String> header = new ArrayList<>(List.of("class"));
        List<JsonNode> sources = new ArrayList<>();
        for (JsonNode row : rows) {
            header.add(row.path("name").asText() + ": clean");
            sources.add(row.path("clean").path("per_class_iou"));
            for (JsonNode c : row.path("columns")) {
                if (c.path("attack").asText().equals("pgd") || c.path("attack").asText().equals("sea")) {
                    header.add(row.path("name").asText() + ": " + heading(c));
                    sources.add(c.path("per_class_iou"));
                }
            }
        }
        List<List<String>> cells = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            List<String> line = new ArrayList<>(List.of(names.get(k)));
            for (JsonNode s : sources) {
                line.add(Format.fixed(s.path(k), 3));
            }
            cells.add(line);
        }
        r.paragraph("IoU per class: which garments an attack takes away first.");
        r.table(header, cells);
    }

    /** The gradient-masking flags: one line when none is raised, each raised flag with its evidence otherwise. */
    private static void maskingFlags(HtmlReport r, JsonNode rows) {
        List<String> raised = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (JsonNode row : rows) {
            for (JsonNode f : row.path("gradient_masking")) {
                checked.add(f.path("name").asText());
                if (f.path("raised").asBoolean()) {
                    raised.add(row.path("name").asText() + ": " + f.path("name").asText() + " — " + f.path("evidence").asText());
                }
            }
            row.path("sea_above").forEach(n -> raised.add(row.path("name").asText() + ": SEA is not the strongest attack — " + n.asText()));
        }
        String what = "Gradient-masking checks (" + String.join(", ", new java.util.LinkedHashSet<>(checked)) + "): warning signs that "
                + "a robust figure comes from a gradient that misleads the attacks rather than from robustness.";
        if (raised.isEmpty()) {
            r.paragraph(what + " None was raised.");
        } else {
            r.paragraph(what + " RAISED: " + String.join("; ", raised) + ". Treat the robust figures above as upper bounds.");
        }
    }

    private static List<String> objectCells(String model, String attack, JsonNode metrics, JsonNode f) {
        JsonNode by = f.path("by_size");
        return List.of(model, attack, Format.fixed(metrics.path("miou"), 4), Format.fixed(f.path("image_miou"), 4),
                size(by.path("small")), size(by.path("medium")), size(by.path("large")));
    }

    private static String size(JsonNode s) {
        return Format.fixed(s.path("iou"), 3) + " (" + s.path("objects").asInt() + ")";
    }

    /** A column's heading in the report: its label and budget, † when it ran on the subset. */
    private static String heading(JsonNode c) {
        return c.path("label").asText() + " " + RobustnessComparison.budget((float) c.path("eps").asDouble())
                + (c.path("on_subset").asBoolean() ? " †" : "");
    }

    /** The key of a column's figures in compare.json's subset figures (as RobustnessComparison.Column.key). */
    private static String key(JsonNode c) {
        return RobustnessComparison.key(c.path("attack").asText(), (float) c.path("eps").asDouble());
    }

    private static String pair(JsonNode m) {
        return Format.fixed(m.path("miou"), 4) + " / " + Format.fixed(m.path("pixel_accuracy"), 4);
    }

    private static void inpainting(HtmlReport r, Path out, JsonNode pag) {
        r.section("inpainting", "Inpainting: filling a hole by following the gradient");
        r.paragraph("For each of " + pag.path("models").path(0).path("inpainting").path("images").asInt()
                + " validation images a " + pag.path("hole").asInt() + "-pixel square hole was cut over the largest garment and "
                + "filled with the mean colour; then each model changed only the pixels in the hole, taking small L2-normalised "
                + "gradient steps that make its own segmentation of the image match the true label map. Columns: the masked input, "
                + "the standard model's result, the robust model's result, the hidden original. The figures in the "
                + "'Perceptually-aligned gradients, measured' section below say whether the results read as garments to a judge.");
        image(r, out.resolve("pag/inpainting.png"), "Inpainting: masked input | standard | robust | original");
        r.endSection();

    }

    private static void generation(HtmlReport r, Path out) {
        r.section("generation", "Generation: an image for a requested label layout");
        r.paragraph("Starting from a blurry random seed image whose colours were drawn from statistics of the training images, "
                + "each model changed the whole image so that its segmentation matches a requested layout (taken from a validation "
                + "image). Columns: the layout, the seed, the standard model's result, the robust model's result, and the real "
                + "image with that layout. The judge's reading of them is measured in the next section.");
        image(r, out.resolve("pag/generation.png"), "Generation: layout | seed | standard | robust | real image");
        r.endSection();

    }

    /** The judge's figures of both syntheses, the saliency concentrations, and what they say. */
    private static void pagFigures(HtmlReport r, Path out, JsonNode pag) {
        JsonNode std = model(pag, "standard");
        JsonNode rob = model(pag, "robust");
        r.section("pag", "Perceptually-aligned gradients, measured");
        r.paragraph("A person can see the difference in the pictures above; these figures measure it. The judge, a network "
                + "that took no part in the synthesis, segments the results. Judge accuracy in the hole: how often the judge "
                + "sees the intended garment class on the hole's object pixels (the same for real images is the ceiling, for the "
                + "unoptimised filled hole the floor). Own accuracy: the same figure by the model that did the inpainting; a large "
                + "gap between own and judge accuracy means the model fooled itself. Blurred: the judge on the result after a "
                + "sigma-1 blur, which removes high-frequency noise a judge might also read. Gradient cosine: alignment of the "
                + "first gradient step with the direction from the filled hole to the hidden original. PSNR/SSIM: closeness "
                + "to the hidden original inside the hole (not a goal: the model is asked for a garment of the right class, "
                + "not for the original's exact tint). Generation judge mIoU: agreement of the judge's segmentation of the "
                + "generated images with the requested layouts.");
        List<List<String>> pagRows = new ArrayList<>();
        for (JsonNode m : pag.path("models")) {
            JsonNode in = m.path("inpainting");
            JsonNode g = m.path("generation");
            pagRows.add(List.of(m.path("name").asText(), Format.fixed(in.path("judgeAccuracyObjects"), 3), Format.fixed(in.path("judgeAccuracyObjectsBlurred"), 3),
                    Format.fixed(in.path("selfAccuracyObjects"), 3), Format.fixed(in.path("gradientCosine"), 3), Format.fixed(in.path("psnr"), 2), Format.fixed(in.path("ssim"), 3),
                    Format.fixed(g.path("judgeMiou"), 3), Format.fixed(g.path("judgeMiouBlurred"), 3), Format.fixed(g.path("selfMiou"), 3)));
        }
        JsonNode base = pag.path("baselines");
        pagRows.add(List.of("real images", Format.fixed(base.path("judgeAccuracyObjectsReal"), 3), "", "", "", "", "", Format.fixed(base.path("judgeMiouReal"), 3), "", ""));
        pagRows.add(List.of("filled hole / seed (no optimisation)", Format.fixed(base.path("judgeAccuracyObjectsFilled"), 3), "", "", "",
                Format.fixed(base.path("psnrFilled"), 2), Format.fixed(base.path("ssimFilled"), 3), Format.fixed(base.path("judgeMiouSeeds"), 3), "", ""));
        r.table(List.of("model", "judge acc. in hole", "judge, blurred", "own acc. in hole", "gradient cosine", "PSNR dB", "SSIM",
                "judge mIoU generation", "judge, blurred", "own mIoU generation"), pagRows);
        r.paragraph(synthesisConclusion(std, rob));
        r.paragraph("Saliency: where does each model's input gradient (of its whole predicted map) put its energy? "
                + "Concentration is the share of gradient energy on garment pixels (or on their 2-pixel outline band) divided by "
                + "the share of the image those pixels cover: 1 means no preference, above 1 means the gradient follows the objects.");
        List<List<String>> salRows = new ArrayList<>();
        for (JsonNode m : pag.path("saliency")) {
            JsonNode s = m.path("predicted_map");
            salRows.add(List.of(m.path("name").asText(), Integer.toString(s.path("images").asInt()),
                    Format.fixed(s.path("objectConcentrationMean"), 3), Format.fixed(s.path("objectConcentrationMedian"), 3),
                    Format.fixed(s.path("outlineConcentrationMean"), 3), Format.fixed(s.path("outlineConcentrationMedian"), 3)));
        }
        r.table(List.of("model", "images", "objects: mean", "objects: median", "outline: mean", "outline: median"), salRows);
        image(r, out.resolve("saliency/grid.png"), "Input-gradient maps: image | labels | standard | robust (brighter = larger gradient)");
        r.details("synthesis settings", "inpainting: " + pretty(pag.path("inpainting_settings")) + "\ngeneration: "
                + pretty(pag.path("generation_settings")));
        r.endSection();

    }

    /** Stage times and every model's and the plan's provenance. */
    private static void provenance(HtmlReport r, JsonNode summary) {
        r.section("provenance", "Provenance and stage times");
        r.paragraph("Every model and figure above can be traced back: the models' checkpoints record their full training "
                + "configuration, data set content hash, seed, tool version and commit. Stage times are wall-clock seconds "
                + "on the machine that ran the demo (a resumed run reports the time the work originally took).");
        List<List<String>> stages = new ArrayList<>();
        summary.path("stage_seconds").fields().forEachRemaining(e ->
                stages.add(List.of(e.getKey(), Format.seconds(e.getValue().asDouble()))));
        r.table(List.of("stage", "time"), stages);
        for (Map.Entry<String, JsonNode> m : iterable(summary.path("models"))) {
            r.details("model " + m.getKey() + ": " + m.getValue().path("file").asText(), pretty(m.getValue()));
        }
        r.details("demo plan and provenance", pretty(summary.path("plan")) + "\n" + pretty(summary.path("provenance")));
        r.endSection();
    }

    /** The figures a person wants on the console after the run. */
    static String consoleSummary(JsonNode summary) {
        StringBuilder b = new StringBuilder("\nsummary (figures in summary.json, pictures in report.html)\n");
        int seaImages = summary.path("robustness").path("rows").path(0).path("subset").path("images").asInt();
        b.append(String.format("  %-10s %10s %10s %10s %10s   (SEA on %d images; on those: clean, SEA)%n", "model", "clean",
                "PGD 8/255", "SEA 8/255", "Square", seaImages));
        for (JsonNode row : summary.path("robustness").path("rows")) {
            JsonNode sub = row.path("subset").path("figures");
            b.append(String.format("  %-10s %10s %10s %10s %10s   %s, %s%n", row.path("name").asText(), Format.fixed(row.path("clean_miou"), 4),
                    Format.fixed(row.path("pgd_8_miou"), 4), Format.fixed(row.path("sea_8_miou"), 4), Format.fixed(row.path("square_8_miou"), 4),
                    Format.fixed(sub.path("clean").path("miou"), 4), Format.fixed(sub.path("sea_8").path("miou"), 4)));
            for (JsonNode f : row.path("gradient_masking")) {
                if (f.path("raised").asBoolean()) {
                    b.append(String.format("  %-10s gradient masking? %s: %s%n", row.path("name").asText(), f.path("name").asText(),
                            f.path("evidence").asText()));
                }
            }
            row.path("sea_above").forEach(n -> b.append(String.format("  %-10s SEA is not the strongest attack: %s%n",
                    row.path("name").asText(), n.asText())));
        }
        for (JsonNode m : summary.path("pag").path("models")) {
            b.append(String.format("  %-10s inpainting: judge acc. in hole %s (own %s), gradient cosine %s; generation judge mIoU %s%n",
                    m.path("name").asText(), Format.fixed(m.path("inpainting").path("judgeAccuracyObjects"), 3),
                    Format.fixed(m.path("inpainting").path("selfAccuracyObjects"), 3), Format.fixed(m.path("inpainting").path("gradientCosine"), 3),
                    Format.fixed(m.path("generation").path("judgeMiou"), 3)));
        }
        b.append("  stage times:");
        summary.path("stage_seconds").fields().forEachRemaining(e ->
                b.append(" " + e.getKey() + " " + Format.seconds(e.getValue().asDouble()) + ","));
        b.setLength(b.length() - 1);
        return b.append('\n').toString();
    }

    /**
     * What the robustness table says, written from its figures: how much mIoU each net keeps
     * under PGD at 8/255, and whether the robust one is in fact the more robust.
     */
    static String robustnessConclusion(JsonNode rows) {
        JsonNode std = row(rows, "standard");
        JsonNode rob = row(rows, "robust");
        if (!hasNumbers(std, "clean_miou", "pgd_8_miou") || !hasNumbers(rob, "clean_miou", "pgd_8_miou")) {
            return "The summary lacks the standard or the robust net's clean and PGD 8/255 figures, so no comparison is drawn.";
        }
        double sc = std.path("clean_miou").asDouble();
        double sa = std.path("pgd_8_miou").asDouble();
        double rc = rob.path("clean_miou").asDouble();
        double ra = rob.path("pgd_8_miou").asDouble();
        String figures = String.format("Under PGD at 8/255 the standard net goes from %.3f to %.3f mIoU (%s of its clean "
                + "figure kept) and the robust net from %.3f to %.3f (%s kept).", sc, sa, kept(sa, sc), rc, ra, kept(ra, rc));
        double margin = ra - sa;
        String verdict;
        if (margin > 0.01) {
            verdict = String.format(" Under attack the robust net is ahead by %.3f mIoU", margin)
                    + (rc < sc ? String.format(", at a clean-accuracy cost of %.3f.", sc - rc) : ", and it is not behind on clean images either.");
        } else if (margin >= -0.01) {
            verdict = String.format(" The robust net is not more robust here: under attack the two are within %.3f mIoU of each "
                    + "other, so adversarial training bought no robustness in this run.", Math.abs(margin));
        } else {
            verdict = String.format(" The robust net is not more robust here: under attack it is %.3f mIoU behind the standard "
                    + "net, so adversarial training did not work in this run.", -margin);
        }
        return figures + verdict + seaSentence(std, rob);
    }

    /** What SEA as published adds, on the images it ran on: how much each net keeps there, and which holds up. */
    static String seaSentence(JsonNode std, JsonNode rob) {
        JsonNode s = std.path("subset").path("figures");
        JsonNode r = rob.path("subset").path("figures");
        if (!s.path("sea_8").path("miou").isNumber() || !r.path("sea_8").path("miou").isNumber()) {
            return "";
        }
        double sc = s.path("clean").path("miou").asDouble();
        double sa = s.path("sea_8").path("miou").asDouble();
        double rc = r.path("clean").path("miou").asDouble();
        double ra = r.path("sea_8").path("miou").asDouble();
        return String.format(" Under SEA as published at 8/255, on the %d images it ran on, the standard net goes from %.3f to %.3f "
                + "mIoU (%s kept) and the robust net from %.3f to %.3f (%s kept)%s.", std.path("subset").path("images").asInt(),
                sc, sa, kept(sa, sc), rc, ra, kept(ra, rc),
                ra - sa > 0.01 ? ": the robust net holds up against the strongest attack too"
                        : ": against the strongest attack the robust net is not ahead");
    }

    /**
     * What the PAG table says about inpainting and generation, from its figures: whose results
     * the judge reads better, and whether the standard model fools itself.
     */
    static String synthesisConclusion(JsonNode std, JsonNode rob) {
        if (!std.isObject() || !rob.isObject()) {
            return "The summary lacks the standard or the robust model's synthesis figures, so no comparison is drawn.";
        }
        double sj = std.path("inpainting").path("judgeAccuracyObjects").asDouble(Double.NaN);
        double rj = rob.path("inpainting").path("judgeAccuracyObjects").asDouble(Double.NaN);
        double ss = std.path("inpainting").path("selfAccuracyObjects").asDouble(Double.NaN);
        double sg = std.path("generation").path("judgeMiou").asDouble(Double.NaN);
        double rg = rob.path("generation").path("judgeMiou").asDouble(Double.NaN);
        StringBuilder b = new StringBuilder("In short: ");
        if (Double.isNaN(sj) || Double.isNaN(rj)) {
            b.append("the inpainting figures are missing.");
        } else if (rj - sj > 0.01) {
            b.append(String.format("the judge recognised the robust model's inpaintings %.1f points more often than the "
                    + "standard model's (%.3f vs %.3f)", 100 * (rj - sj), rj, sj));
        } else if (sj - rj > 0.01) {
            b.append(String.format("the judge recognised the standard model's inpaintings %.1f points more often than the "
                    + "robust model's (%.3f vs %.3f): here the robust model's gradients did not paint better", 100 * (sj - rj), sj, rj));
        } else {
            b.append(String.format("the judge recognised the two models' inpaintings about equally often (%.3f vs %.3f): no "
                    + "sign of better-aligned gradients here", rj, sj));
        }
        if (!Double.isNaN(sj) && !Double.isNaN(ss)) {
            b.append(ss - sj > 0.2
                    ? String.format("; the standard model rated its own at %.3f, %.3f above the judge: it fools itself.", ss, ss - sj)
                    : String.format("; the standard model rated its own at %.3f, close to the judge's %.3f.", ss, sj));
        }
        if (!Double.isNaN(sg) && !Double.isNaN(rg)) {
            String who = rg - sg > 0.01 ? "the robust model's" : sg - rg > 0.01 ? "the standard model's" : "neither model's";
            b.append(String.format(" Generation: judge mIoU %.3f for the robust model against %.3f for the standard one "
                    + "(%s layouts read better).", rg, sg, who));
        }
        return b.toString();
    }

    private static JsonNode row(JsonNode rows, String name) {
        for (JsonNode row : rows) {
            if (row.path("name").asText().equals(name)) {
                return row;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static boolean hasNumbers(JsonNode row, String... fields) {
        for (String f : fields) {
            if (!row.path(f).isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static String kept(double attacked, double clean) {
        return clean > 0 ? Format.fixed(100 * attacked / clean, 0) + "%" : Format.NOT_AVAILABLE;
    }

    private static JsonNode model(JsonNode pag, String name) {
        for (JsonNode m : pag.path("models")) {
            if (m.path("name").asText().equals(name)) {
                return m;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static void image(HtmlReport r, Path png, String caption) {
        if (Files.exists(png)) {
            r.image(png, caption);
        } else {
            r.paragraph("(picture missing: " + png + ")");
        }
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
}
