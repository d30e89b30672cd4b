package org.robustseg.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.robustseg.provenance.Json;

/** The report's conclusions follow the figures, whichever way they point. */
public class DemoReportTest {
    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text.replace('\'', '"'));
    }

    private static JsonNode rows(double stdClean, double stdPgd, double robClean, double robPgd) throws Exception {
        return json(String.format(java.util.Locale.ROOT, "[{'name':'standard','clean_miou':%s,'pgd_8_miou':%s},"
                + "{'name':'robust','clean_miou':%s,'pgd_8_miou':%s}]", stdClean, stdPgd, robClean, robPgd));
    }

    private static JsonNode model(double judge, double self, double genJudge) throws Exception {
        return json(String.format(java.util.Locale.ROOT, "{'inpainting':{'judgeAccuracyObjects':%s,'selfAccuracyObjects':%s},"
                + "'generation':{'judgeMiou':%s}}", judge, self, genJudge));
    }

    @Test
    void aRobustNetThatHoldsUpIsReportedWithItsFigures() throws Exception {
        String text = DemoReport.robustnessConclusion(rows(0.60, 0.05, 0.50, 0.30));
        // kept: 0.05/0.60 = 8%, 0.30/0.50 = 60%; ahead by 0.25; clean cost 0.10
        assertTrue(text.contains("from 0.600 to 0.050") && text.contains("(8% of its clean"), text);
        assertTrue(text.contains("from 0.500 to 0.300 (60% kept)"), text);
        assertTrue(text.contains("ahead by 0.250") && text.contains("cost of 0.100"), text);
        assertFalse(text.contains("not more robust"), text);
    }

    /** With SEA's figures on its subset, the conclusion adds what the strongest attack leaves, on those images. */
    @Test
    void seaOnItsSubsetIsReportedWhenPresent() throws Exception {
        JsonNode rows = json("[{'name':'standard','clean_miou':0.6,'pgd_8_miou':0.05,'subset':{'images':24,'figures':"
                + "{'clean':{'miou':0.5},'sea_8':{'miou':0.02}}}},{'name':'robust','clean_miou':0.5,'pgd_8_miou':0.3,'subset':"
                + "{'images':24,'figures':{'clean':{'miou':0.4},'sea_8':{'miou':0.2}}}}]");
        String text = DemoReport.robustnessConclusion(rows);
        assertTrue(text.contains("on the 24 images it ran on, the standard net goes from 0.500 to 0.020 mIoU (4% kept)"), text);
        assertTrue(text.contains("robust net from 0.400 to 0.200 (50% kept): the robust net holds up"), text);
        assertFalse(DemoReport.robustnessConclusion(rows(0.6, 0.05, 0.5, 0.3)).contains("SEA"));
    }

    @Test
    void aRobustNetThatIsNotMoreRobustIsSaidToBeSo() throws Exception {
        String behind = DemoReport.robustnessConclusion(rows(0.60, 0.20, 0.55, 0.10));
        assertTrue(behind.contains("not more robust") && behind.contains("0.100 mIoU behind"), behind);
        assertFalse(behind.contains("ahead"), behind);
        String tie = DemoReport.robustnessConclusion(rows(0.60, 0.20, 0.55, 0.205));
        assertTrue(tie.contains("not more robust") && tie.contains("within 0.005"), tie);
        String missing = DemoReport.robustnessConclusion(json("[{'name':'standard','clean_miou':0.5}]"));
        assertTrue(missing.contains("no comparison"), missing);
    }

    @Test
    void synthesisConclusionFollowsTheJudge() throws Exception {
        String good = DemoReport.synthesisConclusion(model(0.35, 0.95, 0.10), model(0.70, 0.80, 0.40));
        assertTrue(good.contains("robust model's inpaintings 35.0 points more often") && good.contains("(0.700 vs 0.350)"), good);
        assertTrue(good.contains("fools itself") && good.contains("0.600 above"), good);
        assertTrue(good.contains("the robust model's layouts read better"), good);

        String bad = DemoReport.synthesisConclusion(model(0.50, 0.55, 0.30), model(0.40, 0.45, 0.20));
        assertTrue(bad.contains("standard model's inpaintings 10.0 points more often") && bad.contains("did not paint better"), bad);
        assertFalse(bad.contains("fools itself"), bad);
        assertTrue(bad.contains("the standard model's layouts read better"), bad);
    }
}
