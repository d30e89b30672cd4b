package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.robustseg.provenance.Json;

/**
 * The compare table's bookkeeping on hand-made predictions (no model): the other columns' figures
 * on the costly attacks' subset, the check that SEA is the strongest column there, the masking
 * flags read off the figures, and the JSON keys the demo report reads. Four 1×2 images of two
 * classes, labels 0 1 each; the subset is images 0 and 2.
 */
class RobustnessComparisonTest {
    private static final int[] LABELS = {0, 1};
    private static final float E4 = RobustnessComparison.EPS4;
    private static final float E8 = RobustnessComparison.EPS8;

    private static Robustness.Point point(float eps, int[]... predictions) {
        ImageMetrics m = new ImageMetrics(2, Set.of());
        for (int[] p : predictions) {
            m.add(p, LABELS, 1, 2);
        }
        return new Robustness.Point(eps, m.confusion().metrics(), m, 1.5);
    }

    private static RobustnessComparison.Settings settings(List<String> attacks, List<Float> eps) {
        return new RobustnessComparison.Settings(10, 1, 0, 16, attacks, eps, 2, 300, 1000, false);
    }

    private static RobustnessComparison.Row row(List<Robustness.Point> curve, List<RobustnessComparison.Column> columns,
                                                 List<GradientMasking.Flag> flags) {
        return new RobustnessComparison.Row("m", Path.of("m.ckpt"), "standard", 1, 60, 60, curve, columns, new int[] {0, 2},
                List.of("a", "c"), List.of("a", "b", "c", "d"), flags, Json.object());
    }

    private static RobustnessComparison.Column column(RobustnessComparison.Settings s, String attack, Robustness.Point p) {
        return new RobustnessComparison.Column(attack, s.label(attack), p.eps(), s.onSubset(attack), p);
    }

    /**
     * SEA on the subset: image 0 predicted 1 1, image 2 right: mIoU (1/2 + 2/3)/2 = 7/12. PGD on all
     * four images is lower (1/3) but right on both subset images (1 there): no note. APGD-js on the
     * subset gets every pixel wrong (0): SEA is above it, a note naming both figures.
     */
    @Test
    void seaIsComparedWithEveryColumnOnTheSameImages() {
        RobustnessComparison.Settings s = settings(List.of("pgd", "sea", "apgd-js", "square"), List.of(E8));
        Robustness.Point clean = point(0, LABELS, LABELS, LABELS, LABELS);
        Robustness.Point pgd = point(E8, new int[] {0, 1}, new int[] {1, 0}, new int[] {0, 1}, new int[] {1, 0});
        Robustness.Point sea = point(E8, new int[] {1, 1}, new int[] {0, 1});
        Robustness.Point js = point(E8, new int[] {1, 0}, new int[] {1, 0});
        Robustness.Point square = point(E8, new int[] {0, 1}, new int[] {1, 1});
        RobustnessComparison.Row r = row(List.of(clean, pgd), List.of(column(s, "pgd", pgd), column(s, "sea", sea),
                column(s, "apgd-js", js), column(s, "square", square)), List.of());
        assertEquals(1 / 3.0, pgd.metrics().miou(), 1e-12);
        assertEquals(1.0, r.onSubset(r.column("pgd", E8)).miou(), 1e-12);
        assertEquals(7 / 12.0, r.onSubset(r.column("sea", E8)).miou(), 1e-12);
        assertEquals(List.of("SEA-300 8/255 0.5833 above APGD-100 js 0.0000"), r.seaAbove());

        // Square (accuracy 1 and 1/2) is below no white-box column on either image (APGD-js: 0 and 0); accuracy never rises
        List<GradientMasking.Flag> flags = RobustnessComparison.maskingFlags(r, s);
        assertEquals(List.of(GradientMasking.BLACK_BOX, GradientMasking.RISES_WITH_EPS), flags.stream().map(GradientMasking.Flag::name).toList());
        assertFalse(flags.get(0).raised(), flags.get(0).toString());
        assertFalse(flags.get(1).raised(), flags.get(1).toString());

        JsonNode json = r.toJson();
        assertEquals(1 / 3.0, json.path("pgd_8_miou").asDouble(), 1e-12);
        assertEquals(7 / 12.0, json.path("sea_8_miou").asDouble(), 1e-12);
        assertEquals(0.0, json.path("apgd_js_8_miou").asDouble(), 1e-12);
        assertEquals(1.5, json.path("square_8_seconds").asDouble(), 1e-12);
        assertEquals(1.0, json.path("subset").path("figures").path("pgd_8").path("miou").asDouble(), 1e-12);
        assertEquals("[0,2]", json.path("subset").path("indices").toString());
        JsonNode seaColumn = json.path("columns").get(1);
        assertEquals("SEA-300", seaColumn.path("label").asText());
        assertTrue(seaColumn.path("on_subset").asBoolean());
        assertEquals(2, seaColumn.path("images").asInt());
        // the worst image under SEA is subset image 0, which is image "a"; under PGD it is image 1, "b"
        assertEquals("a", seaColumn.path("image_figures").path("worst_images").get(0).path("id").asText());
        assertEquals("b", json.path("columns").get(0).path("image_figures").path("worst_images").get(0).path("id").asText());
        assertEquals(0.75, seaColumn.path("pixel_accuracy").asDouble(), 1e-12);
    }

    /**
     * Square leaves subset image 2 with accuracy 0 where every white-box column left it right: the
     * black-box flag names that image. PGD's accuracy at 8/255 (1/2) is above its accuracy at 4/255 (0):
     * the rises-with-eps flag, naming PGD. Square's subset mIoU at 8/255 equals SEA's (1/3): no note.
     */
    @Test
    void maskingFlagsAreReadOffTheFigures() {
        RobustnessComparison.Settings s = settings(List.of("pgd", "sea", "square"), List.of(E4, E8));
        Robustness.Point clean = point(0, LABELS, LABELS, LABELS, LABELS);
        int[] wrong = {1, 0};
        Robustness.Point pgd4 = point(E4, wrong, wrong, wrong, wrong);
        Robustness.Point pgd8 = point(E8, LABELS, wrong, LABELS, wrong);
        Robustness.Point sea4 = point(E4, wrong, wrong);
        Robustness.Point sea8 = point(E8, wrong, LABELS);
        Robustness.Point square4 = point(E4, wrong, wrong);
        Robustness.Point square8 = point(E8, LABELS, wrong);
        List<Robustness.Point> curve = List.of(clean, pgd4, pgd8);
        List<RobustnessComparison.Column> columns = List.of(column(s, "pgd", pgd4), column(s, "pgd", pgd8), column(s, "sea", sea4),
                column(s, "sea", sea8), column(s, "square", square4), column(s, "square", square8));
        List<GradientMasking.Flag> flags = RobustnessComparison.maskingFlags(row(curve, columns, List.of()), s);
        RobustnessComparison.Row r = row(curve, columns, flags);
        assertTrue(flags.get(0).raised(), flags.get(0).toString());
        assertTrue(flags.get(0).evidence().startsWith("at 8/255"), flags.get(0).evidence());
        assertEquals(List.of(1), flags.get(0).figures().get("images"));
        assertTrue(flags.get(1).raised(), flags.get(1).toString());
        assertTrue(flags.get(1).evidence().startsWith("PGD-10:"), flags.get(1).evidence());
        // SEA is at or below every column on the subset at both budgets (0 vs 0 and 0; 1/3 vs 1 and 1/3)
        assertEquals(List.of(), r.seaAbove());
        String md = RobustnessComparison.markdown(List.of(r), s, new FourImages());
        assertTrue(md.contains("SEA-300 8/255 †"), md);
        assertTrue(md.contains("gradient masking? FLAG black-box-beats-white-box"), md);
        assertTrue(md.contains("Seconds per column"), md);
    }

    @Test
    void settingsRejectWhatCannotBeCompared() {
        assertThrows(IllegalArgumentException.class, () -> settings(List.of("pgd", "pgd"), List.of(E8)));
        assertThrows(IllegalArgumentException.class, () -> settings(List.of("deepfool"), List.of(E8)));
        assertThrows(IllegalArgumentException.class, () -> settings(List.of("targeted"), List.of(E8)));
        assertThrows(IllegalArgumentException.class, () -> settings(List.of("pgd"), List.of(0f)));
        assertThrows(IllegalArgumentException.class, () -> settings(List.of("apgd-hinge"), List.of(E8)));
        RobustnessComparison.Settings s = settings(List.of("pgd", "sea-pgd", "sea", "apgd", "apgd-masked-ce", "square"), List.of(E8, E4));
        assertEquals(List.of(E4, E8), s.eps());
        assertEquals(List.of("PGD-10", "sea-pgd", "SEA-300", "APGD-100", "APGD-100 masked-ce", "Square-1000"),
                s.attacks().stream().map(s::label).toList());
        assertFalse(s.onSubset("pgd"));
        assertFalse(s.onSubset("sea-pgd"));
        assertTrue(s.onSubset("sea") && s.onSubset("apgd-masked-ce") && s.onSubset("square"));
        assertEquals("sea_pgd_8", RobustnessComparison.key("sea-pgd", E8));
        assertEquals("8/255", RobustnessComparison.budget(E8));
    }

    /** The data set of the markdown footnote: four images of two classes. */
    private static final class FourImages implements org.robustseg.data.SegDataset {
        @Override
        public String name() {
            return "four";
        }

        @Override
        public int size() {
            return 4;
        }

        @Override
        public org.robustseg.data.SegSample get(int index) {
            return new org.robustseg.data.SegSample("img" + index, 1, 2, new float[6], LABELS.clone());
        }

        @Override
        public org.robustseg.data.ClassSet classes() {
            return new org.robustseg.data.ClassSet(List.of("a", "b"), new int[6]);
        }

        @Override
        public String contentHash() {
            return "h";
        }
    }
}
